/**
 * The attack families a hostile tester found (issue 15), for the battery's figures: each class
 * tried in several shapes against a running federation, counted as refused only when the
 * defence held exactly (the status, the code, what the access log says). The tests of each
 * defence are beside their code and in test/; this tallies them for `make reliability`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import * as grpc from '@grpc/grpc-js';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { recordsOf } from './audit.js';
import { CALLERS, headersFor, type Caller } from './callers.js';
import { freePort, type FederationInfo } from './federation.js';
import { startGatewayProcess, type GatewayProcess } from './gateway.js';
import { metadataFor, review, reviewClient } from './grpc.js';
import { loadRawValues, readingsOf, stringsIn } from './rawValues.js';
import { universe } from './universe.js';
import type { Untyped } from './untyped.js';

/** One attack: its family, its name, and whether the defence held. */
export interface Attack {
  readonly kind: string;
  readonly name: string;
  /** Sends the attack; true when it was refused as it should be. */
  readonly refused: () => Promise<boolean>;
}

interface Answer {
  readonly status: number;
  readonly body: { data?: Record<string, Untyped> | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] };
  readonly requestId: string | null;
  readonly text: string;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the attack's check says what it expected
  }
  return { status: res.status, body: parsed, requestId: res.headers.get('x-request-id'), text };
}

const codeOf = (answer: Answer) => answer.body.errors?.[0]?.extensions?.['code'];

/** The families of issue 15, each a list of attacks against `federation` (a PostgreSQL one). */
export async function hostileAttacks(federation: FederationInfo): Promise<Attack[]> {
  const codes = universe(federation.seed, Math.min(federation.size, 300)).map((e) => e.uscc);
  return [
    ...(await cursorAttacks(federation, codes)),
    ...(await costAttacks(federation, codes)),
    ...(await recordAttacks(federation, codes)),
    ...refusalAttacks(federation, codes),
    ...roleAttacks(federation, codes),
    ...(await verdictAttacks(federation)),
    ...(await driverAttacks(federation)),
    ...processAttacks(federation, codes),
  ];
}

/** Values that leak through the opaque values the graph hands out. */
async function cursorAttacks(federation: FederationInfo, codes: readonly string[]): Promise<Attack[]> {
  const kind = 'values through cursors';
  const employers = universe(federation.seed, Math.min(federation.size, 300))
    .filter((e) => e.headcount > 0)
    .map((e) => e.uscc)
    .slice(0, 100);
  const raw = await loadRawValues(federation.env, employers);
  const ids = raw.get('Employee.idNumber')!;
  const names = raw.get('Employee.name')!;
  const EMPLOYEES = 'query($c: [USCC!]!, $a: String) { enterprises(uscc: $c) { social { employees(first: 5, after: $a) { edges { cursor node { name } } pageInfo { endCursor } } } } }';
  const tax = await headersFor(federation, CALLERS.taxOfficer);
  const leaks = (answer: Answer) => stringsIn(answer.body).some((s) => readingsOf(s).some((r) => [...r.matchAll(/[0-9]{17}[0-9X]/g)].some((m) => ids.has(m[0])) || names.has(r)));
  const firstCursor = async (): Promise<string> => {
    const answer = await post(federation.gatewayUrl, { query: EMPLOYEES, variables: { c: employers.slice(0, 1) } }, tax);
    return answer.body.data!['enterprises'][0].social.employees.pageInfo.endCursor;
  };
  const refusedAs = async (after: string, code = 'INVALID_CURSOR') => codeOf(await post(federation.gatewayUrl, { query: EMPLOYEES, variables: { c: employers.slice(0, 1), a: after } }, tax)) === code;
  return [
    { kind, name: 'employees masked to the caller, read from their cursors', refused: async () => !leaks(await post(federation.gatewayUrl, { query: EMPLOYEES, variables: { c: employers } }, tax)) },
    {
      kind,
      name: 'cursors beside HASH-masked ID numbers as a table to undo the mask',
      refused: async () => {
        const answer = await post(
          federation.gatewayUrl,
          { query: 'query($c: [USCC!]!) { enterprises(uscc: $c) { social { employees(first: 10) { edges { cursor node { idNumber } } } } } }', variables: { c: employers } },
          tax,
        );
        const edges = (answer.body.data!['enterprises'] as Untyped[]).flatMap((e) => e.social?.employees.edges ?? []);
        return edges.length > 0 && new Set(edges.map((e: { cursor: string }) => e.cursor)).size === edges.length && !leaks(answer);
      },
    },
    { kind, name: 'a cursor altered by one character', refused: async () => refusedAs(`${(await firstCursor()).slice(0, -1)}${(await firstCursor()).endsWith('A') ? 'B' : 'A'}`) },
    { kind, name: 'a cursor written by hand from guessed values', refused: async () => refusedAs(Buffer.from(JSON.stringify([[...names][0], [...ids][0]])).toString('base64url')) },
    {
      kind,
      name: "a cursor of another enterprise's employees, to compare hidden keys",
      refused: async () => {
        const answer = await post(federation.gatewayUrl, { query: EMPLOYEES, variables: { c: employers.slice(1, 2) } }, tax);
        return refusedAs(answer.body.data!['enterprises'][0].social.employees.pageInfo.endCursor);
      },
    },
    {
      kind,
      name: 'a cursor of another list (the enterprise search)',
      refused: async () => refusedAs((await post(federation.gatewayUrl, { query: '{ searchEnterprises(first: 1) { pageInfo { endCursor } } }' })).body.data!['searchEnterprises'].pageInfo.endCursor),
    },
    {
      kind,
      name: 'an access-log cursor written by hand',
      refused: async () =>
        codeOf(
          await post(
            federation.gatewayUrl,
            { query: 'query($a: String) { auditLog(first: 1, after: $a) { endCursor } }', variables: { a: Buffer.from('["2099-01-01","x",1]').toString('base64url') } },
            await headersFor(federation, CALLERS.auditor),
          ),
        ) === 'INVALID_CURSOR',
    },
    {
      kind,
      name: 'the enterprise search cursor as a code',
      refused: async () =>
        !stringsIn((await post(federation.gatewayUrl, { query: '{ searchEnterprises(first: 3) { edges { cursor } } }' })).body).some((s) =>
          readingsOf(s).some((r) => codes.some((c) => r.includes(c))),
        ),
    },
  ];
}

/** Small requests that cost the gateway more than their size before any authorization. */
async function costAttacks(federation: FederationInfo, codes: readonly string[]): Promise<Attack[]> {
  const kind = 'small requests that cost a lot';
  const officer = await headersFor(federation, CALLERS.creditSupervisor);
  const chain = (n: number, twice: (next: string) => string) =>
    `{ enterprise(uscc: "${codes[0]}") { ...F0 } } ${Array.from({ length: n }, (_, i) => (i === n - 1 ? `fragment F${i} on Enterprise { uscc }` : `fragment F${i} on Enterprise { ${twice(`F${i + 1}`)} }`)).join(' ')}`;
  const many = universe(federation.seed, 1_000).map((e) => e.uscc);
  const refusedWith =
    (code: string | string[], body: unknown, headers: Record<string, string> = {}) =>
    async () =>
      [code].flat().includes(String(codeOf(await post(federation.gatewayUrl, body, headers))));
  return [
    {
      kind,
      name: 'a public chain of fragments each spreading the next twice (2^39)',
      refused: refusedWith('COST_LIMIT_EXCEEDED', { query: chain(40, (f) => `...${f} ... on Enterprise { ...${f} }`) }),
    },
    {
      kind,
      name: 'the same chain through aliases (2^39 aliases)',
      refused: refusedWith(['ALIAS_LIMIT_EXCEEDED', 'COST_LIMIT_EXCEEDED'], { query: chain(40, (f) => `...${f} ... on Enterprise { ...${f} }`).replace('{ uscc }', '{ a: uscc }') }, officer),
    },
    { kind, name: '550 repetitions of one field in a public request', refused: refusedWith('SELECTION_LIMIT_EXCEEDED', { query: `{ enterprise(uscc: "${codes[0]}") { ${'uscc '.repeat(550)} } }` }) },
    {
      kind,
      name: '40 repetitions of a field with arguments',
      refused: refusedWith('SELECTION_LIMIT_EXCEEDED', { query: `{ ${Array.from({ length: 40 }, () => `enterprise(uscc: "${codes[0]}") { uscc }`).join(' ')} }` }),
    },
    {
      kind,
      name: 'five aliases of a list of 1,000 codes',
      refused: refusedWith(
        'TOO_MANY_CODES',
        { query: `query($c: [USCC!]!) { ${Array.from({ length: 5 }, (_, i) => `a${i}: enterprises(uscc: $c) { uscc }`).join(' ')} }`, variables: { c: many } },
        officer,
      ),
    },
    {
      kind,
      name: 'fifteen aliases of a joint review batch',
      refused: refusedWith(
        'TOO_MANY_CODES',
        { query: `query($c: [USCC!]!) { ${Array.from({ length: 15 }, (_, i) => `r${i}: jointReviewBatch(uscc: $c, matter: BIDDING) { outcome }`).join(' ')} }`, variables: { c: many.slice(0, 100) } },
        officer,
      ),
    },
    {
      kind,
      name: 'a policy matrix of 35,000 coordinates',
      refused: refusedWith(
        'TOO_MANY_COORDINATES',
        { query: 'query($c: [String!]) { policyMatrix(coordinates: $c) { coordinates } }', variables: { c: Array.from({ length: 35_000 }, (_, i) => `T${i}.f`) } },
        await headersFor(federation, CALLERS.auditor),
      ),
    },
    {
      kind,
      name: 'thirty pages of a hundred enterprises under aliases',
      refused: refusedWith('TOO_MANY_ENTERPRISES', { query: `{ ${Array.from({ length: 30 }, (_, i) => `s${i}: searchEnterprises(first: 100) { edges { node { uscc } } }`).join(' ')} }` }, officer),
    },
    {
      kind,
      name: 'inline fragments nested 2,400 deep in a public request',
      refused: refusedWith('DEPTH_LIMIT_EXCEEDED', { query: `{ ${'... { '.repeat(2_400)}__typename${' }'.repeat(2_400)} }` }),
    },
    {
      kind,
      name: 'whole-catalogue matrices under five aliases',
      refused: refusedWith(
        'TOO_MANY_COORDINATES',
        { query: `{ ${Array.from({ length: 5 }, (_, i) => `m${i}: policyMatrix { policyRevision }`).join(' ')} }` },
        await headersFor(federation, CALLERS.auditor),
      ),
    },
  ];
}

/** Access-log records that miss the enterprises read, or name ones that were not. */
async function recordAttacks(federation: FederationInfo, codes: readonly string[]): Promise<Attack[]> {
  const kind = 'audit records that miss or invent';
  const recorded = async (answer: Answer) => ((await recordsOf(federation, answer.requestId!))[0]?.enterprises ?? null) as string[] | null;
  const expected = async (sql: string, params: unknown[]) => {
    const client = new pg.Client({ connectionString: federation.env['DATABASE_URL_MARKET'] });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows.map((r) => r.uscc as string);
    } finally {
      await client.end();
    }
  };
  const same = (a: readonly string[] | null, b: readonly string[]) => a !== null && JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
  const searched = (selection: string) => async () => {
    const answer = await post(federation.gatewayUrl, { query: `{ searchEnterprises(regionCode: "110000", first: 3) { edges { node { ${selection} } } } }` });
    return answer.status === 200 && same(await recorded(answer), await expected("SELECT uscc FROM market_registrations WHERE region_code LIKE '11%' ORDER BY uscc LIMIT 3", []));
  };
  const escaped = (code: string) =>
    code
      .split('')
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .join('');
  return [
    {
      kind,
      name: 'a code written with GraphQL string escapes',
      refused: async () => same(await recorded(await post(federation.gatewayUrl, { query: `{ enterprise(uscc: "${escaped(codes[1]!)}") { market { legalRepresentative { name } } } }` })), [codes[1]!]),
    },
    { kind, name: 'a search whose nodes omit uscc', refused: searched('market { name }') },
    { kind, name: 'a search whose nodes alias uscc', refused: searched('code: uscc') },
    { kind, name: 'a search through a fragment that hides uscc', refused: searched('... on Enterprise { market { status } }') },
    {
      kind,
      name: '45,000 codes in a comment',
      refused: async () =>
        same(
          await recorded(
            await post(federation.gatewayUrl, { query: `# ${Array.from({ length: 4_500 }, (_, i) => codes[i % codes.length]).join(' ')}\n{ enterprise(uscc: "${codes[2]}") { market { name } } }` }),
          ),
          [codes[2]!],
        ),
    },
    {
      kind,
      name: 'an automatic persisted query (hash only)',
      refused: async () => {
        const answer = await post(federation.gatewayUrl, { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
        return codeOf(answer) === 'PERSISTED_QUERY_NOT_SUPPORTED' && (await recordsOf(federation, answer.requestId!)).length === 1;
      },
    },
    {
      kind,
      name: '45,000 codes in the variables of a request refused over the limit',
      refused: async () => {
        const answer = await post(federation.gatewayUrl, {
          query: 'query($c: [USCC!]!) { enterprises(uscc: $c) { uscc } }',
          variables: { c: Array.from({ length: 45_000 }, (_, i) => codes[i % codes.length]) },
        });
        return codeOf(answer) === 'TOO_MANY_CODES' && same(await recorded(answer), []);
      },
    },
    {
      kind,
      name: 'a code in a skipped field',
      refused: async () =>
        same(await recorded(await post(federation.gatewayUrl, { query: `{ a: enterprise(uscc: "${codes[5]}") { uscc } b: enterprise(uscc: "${codes[6]}") @skip(if: true) { uscc } }` })), [codes[5]!]),
    },
    {
      kind,
      name: 'a code in a field the policy denies the caller',
      refused: async () =>
        same(await recorded(await post(federation.gatewayUrl, { query: `{ a: enterprise(uscc: "${codes[7]}") { uscc } jointReview(uscc: "${codes[8]}", matter: BIDDING) { outcome } }` })), [
          codes[7]!,
        ]),
    },
    {
      kind,
      name: 'codes in a variable of an input object',
      refused: async () =>
        same(
          await recorded(
            await post(
              federation.gatewayUrl,
              { query: 'query($f: AuditLogFilter) { auditLog(filter: $f, first: 1) { hasNextPage } }', variables: { f: { uscc: codes[4] } } },
              await headersFor(federation, CALLERS.auditor),
            ),
          ),
          [codes[4]!],
        ),
    },
  ];
}

/** Refusals used as an unmetered, unbounded write path. */
function refusalAttacks(federation: FederationInfo, codes: readonly string[]): Attack[] {
  const kind = 'refusals as a write path';
  const bad = { authorization: 'Bearer not.a.token' };
  return [
    {
      kind,
      name: 'a 900 KB operation name with a bad token',
      refused: async () => {
        const answer = await post(federation.gatewayUrl, { query: '{ __typename }', operationName: 'x'.repeat(900_000) }, bad);
        const [record] = await recordsOf(federation, answer.requestId!);
        return answer.status === 401 && record.operationName.length <= 201;
      },
    },
    {
      kind,
      name: '45,000 codes in a comment with a bad token',
      refused: async () => {
        const answer = await post(federation.gatewayUrl, { query: `# ${Array.from({ length: 45_000 }, (_, i) => codes[i % codes.length]).join(' ')}\n{ __typename }` }, bad);
        const [record] = await recordsOf(federation, answer.requestId!);
        return answer.status === 401 && record.enterprises.length === 0 && JSON.stringify(record).length < 2_000;
      },
    },
    {
      kind,
      name: 'a purpose header of 8 KB with a bad token',
      refused: async () => {
        const answer = await post(federation.gatewayUrl, { query: '{ __typename }' }, { ...bad, 'x-purpose': 'P'.repeat(8_000) });
        const [record] = await recordsOf(federation, answer.requestId!);
        return answer.status === 400 && (record?.detail?.length ?? 0) <= 501;
      },
    },
  ];
}

/** Tools and doors granted on a role alone. */
function roleAttacks(federation: FederationInfo, codes: readonly string[]): Attack[] {
  const kind = 'tools and doors granted on a role alone';
  const auditorFor = (purpose: string, agency = 'TAX'): Caller => ({ name: 'auditor', claims: { sub: `a-${agency}`, agency, roles: ['auditor'], purposes: [purpose] }, purpose });
  const noRole: Caller = { name: 'no role', claims: { sub: 'x', agency: 'PROCUREMENT_CENTRE', roles: ['viewer'], purposes: ['PUBLIC_PROCUREMENT'] }, purpose: 'PUBLIC_PROCUREMENT' };
  const logDenied = (caller: Caller) => async () => {
    const answer = await post(federation.gatewayUrl, { query: '{ auditLog(first: 1) { records { requestId } } }' }, await headersFor(federation, caller));
    return answer.body.data?.['auditLog'] === null && codeOf(answer) === 'FORBIDDEN_FIELD';
  };
  const reviewDenied = (caller: Caller) => async () => {
    const client = reviewClient(federation.grpcAddress);
    try {
      return (await review(client, { uscc: codes[0]!, matter: 'MATTER_BIDDING' }, await metadataFor(federation, caller))).status.code === grpc.status.PERMISSION_DENIED;
    } finally {
      client.close();
    }
  };
  return [
    { kind, name: 'the access log by an auditor of any agency acting for JOINT_PUNISHMENT', refused: logDenied(auditorFor('JOINT_PUNISHMENT')) },
    { kind, name: 'the access log by an officer acting for TAX_ADMINISTRATION', refused: logDenied(CALLERS.taxOfficer) },
    { kind, name: 'the gRPC review by an auditor acting for AUDIT', refused: reviewDenied(CALLERS.auditor) },
    { kind, name: 'the gRPC review by an auditor acting for a data purpose', refused: reviewDenied(auditorFor('PUBLIC_PROCUREMENT', 'PROCUREMENT_CENTRE')) },
    { kind, name: 'the gRPC review by a token with no government role', refused: reviewDenied(noRole) },
    {
      kind,
      name: "an officer who also audits losing its own agency's fields",
      refused: async () => {
        const caller: Caller = { name: 'x', claims: { sub: 'ta', agency: 'TAX', roles: ['officer', 'auditor'], purposes: ['TAX_ADMINISTRATION', 'AUDIT'] }, purpose: 'TAX_ADMINISTRATION' };
        const answer = await post(federation.gatewayUrl, { query: `{ enterprise(uscc: "${codes[0]}") { tax { taxpayerType } } }` }, await headersFor(federation, caller));
        return answer.body.errors === undefined && typeof answer.body.data?.['enterprise']?.tax?.taxpayerType === 'string';
      },
    },
  ];
}

/** Verdicts resting on facts the caller never saw. */
async function verdictAttacks(federation: FederationInfo): Promise<Attack[]> {
  const kind = 'verdicts on facts the caller never saw';
  const client = new pg.Client({ connectionString: federation.env['DATABASE_URL_SOCIAL'] });
  await client.connect();
  let owing: string[];
  try {
    owing = (await client.query('SELECT DISTINCT uscc FROM social_arrears WHERE settled_on IS NULL ORDER BY uscc LIMIT 5')).rows.map((r) => r.uscc as string);
  } finally {
    await client.end();
  }
  const outcome = async (uscc: string, matter: string, caller: Caller) =>
    (
      await post(
        federation.gatewayUrl,
        { query: `query($u: USCC!) { jointReview(uscc: $u, matter: ${matter}) { outcome withheld { rule } } }`, variables: { u: uscc } },
        await headersFor(federation, caller),
      )
    ).body.data?.['jointReview'];
  const subsidies = owing.map((uscc) => ({
    kind,
    name: `subsidy review of ${uscc}, social-insurance arrears withheld from the caller`,
    refused: async () => {
      const verdict = await outcome(uscc, 'FISCAL_SUBSIDY', CALLERS.customsOfficer);
      return verdict?.outcome === 'INCOMPLETE' || verdict?.outcome === 'PROHIBIT';
    },
  }));
  // Enterprises the green channel would open for, to a caller who saw everything: asked by a
  // caller who may not see the arrears, the verdict must say what it could not see, never PRIORITY.
  const trusted: string[] = [];
  for (const uscc of await greenChannelCandidates(federation)) {
    if (trusted.length === 5) break;
    if ((await outcome(uscc, 'CUSTOMS_CLEARANCE', CALLERS.incentiveSystem))?.outcome === 'PRIORITY') trusted.push(uscc);
  }
  if (trusted.length === 0) throw new Error('the green-channel attacks found no enterprise the green channel opens for; the battery cannot try them');
  const greenChannels = trusted.map((uscc) => ({
    kind,
    name: `green channel of ${uscc} (PRIORITY to a caller who sees everything) for a caller who cannot see the arrears`,
    refused: async () => {
      const verdict = await outcome(uscc, 'CUSTOMS_CLEARANCE', CALLERS.customsOfficer);
      return verdict?.outcome === 'INCOMPLETE' && verdict.withheld.some((w: { rule: string }) => w.rule === 'trustworthy');
    },
  }));
  return [...subsidies, ...greenChannels];
}

/** Enterprises rated A by the tax agency and advanced-certified by customs, from their own databases. */
async function greenChannelCandidates(federation: FederationInfo): Promise<string[]> {
  const read = async (agency: 'TAX' | 'CUSTOMS', sql: string) => {
    const client = new pg.Client({ connectionString: federation.env[`DATABASE_URL_${agency}`] });
    await client.connect();
    try {
      return new Set((await client.query(sql)).rows.map((r) => r.uscc as string));
    } finally {
      await client.end();
    }
  };
  const certified = await read('CUSTOMS', "SELECT uscc FROM customs_registrations WHERE credit_level = 'ADVANCED_CERTIFIED' ORDER BY uscc LIMIT 500");
  const rated = await read('TAX', "SELECT uscc FROM (SELECT DISTINCT ON (uscc) uscc, rating FROM tax_credit_ratings ORDER BY uscc, year DESC) latest WHERE rating = 'A'");
  return [...certified].filter((u) => rated.has(u)).slice(0, 60);
}

/** Database drivers' words reaching callers. */
async function driverAttacks(federation: FederationInfo): Promise<Attack[]> {
  const kind = 'driver messages to callers';
  const auditor = await headersFor(federation, CALLERS.auditor);
  const clean = (body: unknown) => async () => {
    const answer = await post(federation.gatewayUrl, body, auditor);
    return codeOf(answer) !== undefined && !/syntax|timestamp|invalid byte|0x00|postgres|pglite|relation|column/i.test(answer.text);
  };
  const log = 'query($f: AuditLogFilter, $a: String) { auditLog(filter: $f, first: 1, after: $a) { hasNextPage } }';
  return [
    { kind, name: 'a time the database cannot read', refused: clean({ query: log, variables: { f: { from: 'not-a-time' } } }) },
    { kind, name: 'a day that does not exist', refused: clean({ query: log, variables: { f: { to: '2026-02-30T00:00:00Z' } } }) },
    { kind, name: 'a NUL byte in a filter', refused: clean({ query: log, variables: { f: { sub: 'a\u0000b' } } }) },
    { kind, name: 'a NUL byte in a search by name', refused: clean({ query: '{ searchEnterprises(name: "a\\u0000b", first: 1) { edges { cursor } } }' }) },
    { kind, name: 'a cursor that is not one', refused: clean({ query: log, variables: { a: '%%%' } }) },
    { kind, name: 'an outcome the log does not know', refused: clean({ query: log, variables: { f: { outcome: "ok' OR 1=1 --" } } }) },
  ];
}

/** What one gateway process does over its life: a second writer on its log, calls out, readiness. */
function processAttacks(federation: FederationInfo, codes: readonly string[]): Attack[] {
  const answer = async (gateway: GatewayProcess, n: number) => {
    const ids: string[] = [];
    const headers = await headersFor(federation, CALLERS.taxOfficer);
    for (let i = 0; i < n; i++) {
      const a = await post(gateway.url, { query: `{ enterprise(uscc: "${codes[i % codes.length]}") { market { name } } }` }, headers);
      if (a.status === 200) ids.push(a.requestId!);
    }
    return ids;
  };
  const cli = (gateway: GatewayProcess, ...args: string[]) => {
    try {
      return {
        status: 0,
        stdout: execFileSync(process.execPath, [path.join(projectRoot, 'dist/scripts/audit.js'), ...args], {
          env: { ...process.env, ...gateway.env },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      };
    } catch (error) {
      return { status: (error as { status: number }).status, stdout: (error as { stdout: string }).stdout };
    }
  };
  return [
    {
      kind: 'a second writer on the access log',
      name: 'the command line on the folder of a running gateway, then a crash',
      refused: async () => {
        const gateway = await startGatewayProcess(federation, { embeddedAuditLog: true });
        try {
          const before = await answer(gateway, 20);
          const refusedWhileHeld = cli(gateway, 'log', '--limit', '1000').status === 3;
          const after = await answer(gateway, 20);
          await gateway.kill();
          const log = cli(gateway, 'log', '--limit', '1000').stdout;
          const intact = /^intact: 1 chain, /.test(cli(gateway, 'verify').stdout);
          return refusedWhileHeld && intact && [...before, ...after].every((id) => log.includes(id));
        } finally {
          await gateway.kill();
        }
      },
    },
    {
      kind: 'a second writer on the access log',
      name: 'a second gateway on the same folder',
      refused: async () => {
        const first = await startGatewayProcess(federation, { embeddedAuditLog: true });
        try {
          const second = await startGatewayProcess(federation, { embeddedAuditLog: true, dataDir: first.dataDir, waitReady: false });
          return (await second.exited()) === 1 && (await answer(first, 3)).length === 3;
        } finally {
          await first.stop();
        }
      },
    },
    {
      kind: 'a second writer on the access log',
      name: 'records cut off the end of a chain',
      refused: async () => {
        const gateway = await startGatewayProcess(federation, { embeddedAuditLog: true });
        await answer(gateway, 5);
        await gateway.stop();
        const { openDatabase } = await import('../../platform/db/database.js');
        const db = await openDatabase({ dataDir: path.join(gateway.dataDir, 'audit') });
        await db.transaction(async (tx) => {
          await tx.query('SET LOCAL session_replication_role = replica');
          await tx.query('DELETE FROM audit_records WHERE seq = (SELECT max(seq) FROM audit_records)');
        });
        await db.close();
        return / were cut off its end/.test(cli(gateway, 'verify').stdout);
      },
    },
    {
      kind: 'calls out of the product',
      name: 'a gateway asked on every channel, with every outbound attempt recorded',
      refused: async () => {
        const logFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'meg-outbound-')), 'outbound.jsonl');
        writeFileSync(logFile, '');
        const gateway = await startGatewayProcess(federation, { nodeArgs: ['--require', path.join(projectRoot, 'test/support/outboundRecorder.cjs')], extraEnv: { MEG_OUTBOUND_LOG: logFile } });
        try {
          await answer(gateway, 5);
          const client = reviewClient(gateway.grpcAddress);
          await review(client, { uscc: codes[0]!, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement));
          client.close();
          await new Promise((r) => setTimeout(r, 3_000));
          return existsSync(logFile) && readFileSync(logFile, 'utf8') === '';
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      kind: 'readiness that says the wrong thing',
      name: 'an agency down folded into the gateway readiness',
      refused: async () => {
        const gateway = await startGatewayProcess(federation, { extraEnv: { MEG_CUSTOMS_URL: `http://127.0.0.1:${await freePort()}/graphql` } });
        try {
          const res = await fetch(new URL('/readyz', gateway.url));
          const report = (await res.json()) as { subgraphs: Record<string, { ready: boolean }> };
          return res.status === 200 && report.subgraphs['customs']?.ready === false;
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      kind: 'readiness that says the wrong thing',
      name: 'an access log that cannot be written reported as ready',
      refused: async () => {
        const gateway = await startGatewayProcess(federation);
        try {
          // The log's heartbeat table refuses every write, as a full disk or a revoked grant would.
          const client = new pg.Client({ connectionString: federation.env['DATABASE_URL_AUDIT'] });
          await client.connect();
          await client.query('ALTER TABLE audit_heartbeats ADD CONSTRAINT attack_refuse_all CHECK (false) NOT VALID');
          try {
            // A report is reused for a second: the next ones must say it.
            for (let i = 0; i < 300; i++) {
              const res = await fetch(new URL('/readyz', gateway.url));
              if (res.status === 503) return ((await res.json()) as { status: string }).status === 'not ready';
              await new Promise((r) => setTimeout(r, 100));
            }
            return false;
          } finally {
            await client.query('ALTER TABLE audit_heartbeats DROP CONSTRAINT attack_refuse_all');
            await client.end();
          }
        } finally {
          await gateway.stop();
        }
      },
    },
    {
      kind: 'readiness that says the wrong thing',
      name: 'a gateway told to stop that still says ready',
      refused: async () => {
        const gateway = await startGatewayProcess(federation, { extraEnv: { MEG_DRAIN_DELAY_MS: '3000' } });
        const stopping = gateway.stop();
        let said = '';
        for (let i = 0; i < 200 && said !== 'draining'; i++) {
          said = await fetch(new URL('/readyz', gateway.url)).then(
            async (r) => ((await r.json()) as { status: string }).status,
            () => 'closed',
          );
          if (said === 'closed') break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await stopping;
        return said === 'draining';
      },
    },
  ];
}
