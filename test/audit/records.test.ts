/** One audit record per request, on every channel, saying who asked what and what they got. */
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { recordsOf } from '../support/audit.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { metadataFor, review, reviewClient } from '../support/grpc.js';
import { firstWhere, universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const federation = inject('federation');
const enterprises = universe(federation.seed, federation.size);
const subject = firstWhere(enterprises, 'trades and has reports', (e) => e.trades && e.establishedOn < '2020-01-01');
const QUERY = 'query AuditedProfile($u: USCC!) { enterprise(uscc: $u) { market { name legalRepresentative { idNumber } } tax { taxpayerType arrears { since } } } }';

async function recordOf(requestId: string | null) {
  expect(requestId).toBeTruthy();
  const records = await recordsOf(federation, requestId!);
  expect(records).toHaveLength(1);
  return records[0];
}

const decision = (record: Untyped, coordinate: string) => record.decisions.find((d: { coordinate: string }) => d.coordinate === coordinate);

describe('the audit record of a GraphQL request', () => {
  it('records an allowed request: who, for what, which operation, which enterprises, every decision', async () => {
    const res = await graphql(federation.gatewayUrl, QUERY, { u: subject.uscc }, await headersFor(federation, CALLERS.taxOfficer));
    const record = await recordOf(res.headers.get('x-request-id'));
    expect(record).toMatchObject({
      channel: 'graphql',
      principal: { sub: 'tax-officer-1', agency: 'TAX', roles: ['officer'], region: '310000' },
      purpose: 'TAX_ADMINISTRATION',
      operationName: 'AuditedProfile',
      operationHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      enterprises: [subject.uscc],
      policyRevision: expect.stringMatching(/^[0-9a-f]{64}$/),
      outcome: 'ok',
    });
    expect(decision(record, 'TaxProfile.arrears')).toEqual({ coordinate: 'TaxProfile.arrears', effect: 'ALLOW', rule: 'owner' });
    expect(decision(record, 'MarketProfile.name')).toEqual({ coordinate: 'MarketProfile.name', effect: 'ALLOW', rule: 'public' });
  });

  it('records a masked field as masked', async () => {
    const res = await graphql(federation.gatewayUrl, QUERY, { u: subject.uscc }, await headersFor(federation, CALLERS.taxOfficer));
    expect(decision(await recordOf(res.headers.get('x-request-id')), 'LegalRepresentative.idNumber')).toEqual({
      coordinate: 'LegalRepresentative.idNumber',
      effect: 'MASK',
      rule: 'conditional_masked',
    });
  });

  it('records a denied field, and the request as partial', async () => {
    const res = await graphql(federation.gatewayUrl, QUERY, { u: subject.uscc }, await headersFor(federation, CALLERS.customsOfficer));
    const record = await recordOf(res.headers.get('x-request-id'));
    expect(record.outcome).toBe('partial');
    expect(decision(record, 'TaxProfile.arrears')).toEqual({ coordinate: 'TaxProfile.arrears', effect: 'DENY', rule: 'conditional_purpose_missing' });
  });

  it('records a refused request, with why, and nothing it names: nothing was read', async () => {
    const res = await post({ query: QUERY, operationName: 'AuditedProfile', variables: { u: subject.uscc } }, { authorization: 'Bearer not.a.token', 'x-purpose': 'TAX_ADMINISTRATION' });
    expect(res.status).toBe(401);
    const record = await recordOf(res.headers.get('x-request-id'));
    expect(record).toMatchObject({
      outcome: 'refused',
      principal: { sub: null, agency: null },
      detail: 'UNAUTHENTICATED: the token is malformed',
      address: expect.stringMatching(/^(?:127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/),
      operationName: 'AuditedProfile',
      operationHash: sha256(QUERY),
      enterprises: [],
      decisions: [],
    });
  });

  it('keeps a refusal small whatever the request carries: a long name is cut, codes in a comment are not read', async () => {
    const comment = `# ${enterprises
      .slice(0, 1_000)
      .map((e) => e.uscc)
      .join(' ')}\n`;
    const query = `${comment}${QUERY}`;
    const res = await post({ query, operationName: 'x'.repeat(900_000), variables: { u: subject.uscc } }, { authorization: 'Bearer not.a.token' });
    expect(res.status).toBe(401);
    const record = await recordOf(res.headers.get('x-request-id'));
    expect(record.operationName).toBe(`${'x'.repeat(200)}…`);
    expect(record.operationHash).toBe(sha256(query));
    expect(record.enterprises).toEqual([]);
    expect(JSON.stringify(record).length).toBeLessThan(2_000);
  });

  it('names the enterprises a search read, from the codes the gateway itself asked for, though the caller selected none', async () => {
    const expected = await firstRegistered('31%', 3);
    for (const selection of ['market { name }', 'code: uscc', 'uscc']) {
      const res = await graphql(federation.gatewayUrl, `{ searchEnterprises(regionCode: "310000", first: 3) { edges { node { ${selection} } } } }`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body.data)).not.toContain('__meg');
      expect((await recordOf(res.headers.get('x-request-id'))).enterprises).toEqual(expected);
    }
  });

  it('names an enterprise asked for with a GraphQL string escape in its code', async () => {
    const escaped = `\\u${subject.uscc.charCodeAt(0).toString(16).padStart(4, '0')}${subject.uscc.slice(1)}`;
    const res = await graphql(federation.gatewayUrl, `{ enterprise(uscc: "${escaped}") { market { name } } }`);
    expect(res.status).toBe(200);
    expect(res.body.data!['enterprise'].market.name).toBe(subject.name);
    expect((await recordOf(res.headers.get('x-request-id'))).enterprises).toEqual([subject.uscc]);
  });

  it('names only the enterprises the operation asked for, not codes in a comment or an unused fragment', async () => {
    const [other, third] = enterprises.filter((e) => e.uscc !== subject.uscc);
    const query = `# ${other!.uscc}\nquery { enterprise(uscc: "${subject.uscc}") { market { name } } } fragment Unused on Query { enterprise(uscc: "${third!.uscc}") { uscc } }`;
    const res = await graphql(federation.gatewayUrl, query);
    // An unused fragment fails validation: nothing is read, and nothing is named.
    expect(res.status).toBe(400);
    expect((await recordOf(res.headers.get('x-request-id'))).enterprises).toEqual([]);
    const valid = await graphql(federation.gatewayUrl, `# ${other!.uscc} ${third!.uscc}\n{ enterprise(uscc: "${subject.uscc}") { market { name } } }`);
    expect((await recordOf(valid.headers.get('x-request-id'))).enterprises).toEqual([subject.uscc]);
  });

  it('names no enterprise of a field that did not run: skipped, denied to the caller, or in a refused request', async () => {
    const [other, third, fourth] = enterprises.filter((e) => e.uscc !== subject.uscc);
    // A skipped field, and one left out by a variable's default.
    const skipped = await graphql(
      federation.gatewayUrl,
      `query($show: Boolean = false) { a: enterprise(uscc: "${subject.uscc}") { uscc } b: enterprise(uscc: "${other!.uscc}") @skip(if: true) { uscc } c: enterprise(uscc: "${third!.uscc}") @include(if: $show) { uscc } }`,
    );
    expect(skipped.body.errors).toBeUndefined();
    expect((await recordOf(skipped.headers.get('x-request-id'))).enterprises).toEqual([subject.uscc]);
    // The joint review is not shared with the public: pruned before planning, it did not run.
    const pruned = await graphql(federation.gatewayUrl, `{ enterprise(uscc: "${subject.uscc}") { uscc } jointReview(uscc: "${fourth!.uscc}", matter: BIDDING) { outcome } }`);
    expect(pruned.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN_FIELD');
    expect((await recordOf(pruned.headers.get('x-request-id'))).enterprises).toEqual([subject.uscc]);
    // Over the limit: refused whole, nothing read, nothing named (45,000 codes would make a record of a megabyte).
    const many = universe(federation.seed, 1_200).map((e) => e.uscc);
    const refused = await post({ query: 'query($c: [USCC!]!) { enterprises(uscc: $c) { uscc } }', variables: { c: many } });
    expect(refused.status).toBe(400);
    expect((await refused.json()).errors[0].extensions.code).toBe('TOO_MANY_CODES');
    expect((await recordOf(refused.headers.get('x-request-id'))).enterprises).toEqual([]);
    // A code given as a variable's default runs, and is named.
    const defaulted = await graphql(federation.gatewayUrl, `query($u: USCC! = "${third!.uscc}") { enterprise(uscc: $u) { market { name } } }`);
    expect((await recordOf(defaulted.headers.get('x-request-id'))).enterprises).toEqual([third!.uscc]);
  });

  it('refuses automatic persisted queries, so every record names the document that ran', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(QUERY) } };
    for (const body of [
      { extensions, variables: { u: subject.uscc } },
      { query: QUERY, extensions, variables: { u: subject.uscc } },
    ]) {
      const res = await post(body, await headersFor(federation, CALLERS.taxOfficer));
      // 200, as the persisted-query protocol answers, so that a client falls back to sending its text.
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ errors: [{ message: 'PersistedQueryNotSupported', extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } }] });
      expect((await recordOf(res.headers.get('x-request-id'))).outcome).toBe('refused');
    }
  });

  it('records a request the limits or validation turn away as refused, as one refused on its text', async () => {
    const headers = await headersFor(federation, CALLERS.taxOfficer);
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: enterprise(uscc: "${subject.uscc}") { uscc }`).join(' ')} }`;
    const invalid = `{ enterprise(uscc: "${subject.uscc}") { noSuchField } }`;
    const nested = `{ ${'enterprise(uscc: "x") { '.repeat(1)}${'... on Enterprise { '.repeat(150)}uscc${' }'.repeat(151)} }`;
    for (const [query, code] of [
      [aliases, 'ALIAS_LIMIT_EXCEEDED'],
      [invalid, 'GRAPHQL_VALIDATION_FAILED'],
      [nested, 'DEPTH_LIMIT_EXCEEDED'],
    ] as const) {
      const res = await post({ query }, headers);
      expect({ code, status: res.status }).toEqual({ code, status: 400 });
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(code);
      expect(await recordOf(res.headers.get('x-request-id'))).toMatchObject({ outcome: 'refused', principal: { sub: 'tax-officer-1' }, enterprises: [] });
    }
  });
});

/** POSTs a raw GraphQL request body. */
function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(federation.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The first `n` registered enterprises whose region code is LIKE `pattern`, by code, from market regulation's own database. */
async function firstRegistered(pattern: string, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: federation.env['DATABASE_URL_MARKET'] });
  await client.connect();
  try {
    return (await client.query('SELECT uscc FROM market_registrations WHERE region_code LIKE $1 ORDER BY uscc LIMIT $2', [pattern, n])).rows.map((r) => r.uscc as string);
  } finally {
    await client.end();
  }
}

describe('the audit record of a joint review', () => {
  it('records one gRPC call with the decisions of every agency it asked', async () => {
    const client = reviewClient(federation.grpcAddress);
    const metadata = await metadataFor(federation, CALLERS.customsOfficer);
    const result = await review(client, { uscc: subject.uscc, matter: 'MATTER_CUSTOMS_CLEARANCE' }, metadata);
    expect(result.status.code).toBe(grpc.status.OK);
    // Filed under the request id the call was given, one record for the whole stream.
    const record = await recordOf(result.requestId);
    expect(record).toMatchObject({ channel: 'grpc', operationName: 'JointReviewService/Review', purpose: 'CUSTOMS_SUPERVISION', enterprises: [subject.uscc], outcome: 'ok' });
    // The review's own decision and those of every agency's fact query.
    expect(decision(record, 'Query.jointReview')).toMatchObject({ effect: 'ALLOW' });
    expect(decision(record, 'TaxProfile.arrears')).toMatchObject({ effect: 'DENY' });
    expect(decision(record, 'CustomsProfile.creditLevel')).toMatchObject({ effect: 'ALLOW' });
    client.close();
  });

  it('records a refused call, with why, naming nothing', async () => {
    const client = reviewClient(federation.grpcAddress);
    const result = await review(client, { uscc: subject.uscc, matter: 'MATTER_BIDDING' }, new grpc.Metadata());
    expect(result.status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await recordOf(result.requestId)).toMatchObject({
      channel: 'grpc',
      outcome: 'refused',
      principal: { sub: null, agency: null },
      detail: 'UNAUTHENTICATED: the joint review needs an access token in the authorization metadata',
      address: expect.stringMatching(/^(?:127\.0\.0\.1|::1)$/),
      enterprises: [],
      decisions: [],
    });
    client.close();
  });
});
