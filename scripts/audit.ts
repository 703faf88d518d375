/**
 * The auditors' command line, over the access log and the compiled policy:
 *
 *   npm run -s audit -- verify [--gateway URL --token T]
 *   npm run -s audit -- log [--uscc CODE] [--sub S] [--agency A] [--purpose P] [--coordinate C] [--effect E] [--outcome O] [--from T] [--to T] [--limit N] [--gateway URL --token T]
 *   npm run -s audit -- matrix --format csv|md [--coordinates A.b,C.d]
 *   npm run -s audit -- explain --agency TAX --roles officer --purpose JOINT_PUNISHMENT --coordinate TaxProfile.arrears
 *   npm run -s audit -- explain --public --coordinate TaxProfile.arrears
 *
 * `verify` and `log` read the log one of two ways. With `--gateway` (or MEG_AUDIT_GATEWAY) they
 * ask a running gateway, as an auditor (a token with the auditor role and the AUDIT purpose, in
 * `--token` or MEG_AUDIT_TOKEN): the way to read a log a gateway is writing. Without it they open
 * the log's store themselves: PostgreSQL in read-only transactions beside its writer, or the
 * embedded folder only while no gateway holds it (one process per folder; a second opening it
 * would lose what the first wrote), refused with who holds it otherwise.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { auditAnchorDirFrom, auditAnchorPublicKeyFileFrom, auditDatabaseFrom, loadGatewayConfig } from '../gateway/config.js';
import { readAnchors, type AnchorReading } from '../gateway/audit/anchors.js';
import { AuditLog, type AuditOutcome, type AuditRecord, type AuditSearch, type Channel, type Verification } from '../gateway/audit/auditLog.js';
import type { AuditLogPageQuery, AuditVerificationQuery } from '../gateway/generated/graphql/operations.js';
import { callerProfiles, explainAccess, formatMatrix, policyMatrix } from '../gateway/audit/policyView.js';
import { AccessPolicy } from '../gateway/policy/accessPolicy.js';
import { purposeValues } from '../platform/domain/commonSchema.js';
import { readEd25519Key } from '../platform/trust/keys.js';
import { StoreInUseError } from '../platform/db/storeLock.js';

const USAGE = `usage: npm run -s audit -- verify [--gateway URL --token T] | log [--uscc C] [--sub S] [--agency A] [--purpose P] [--coordinate T.f] [--effect E] [--outcome O] [--from T] [--to T] [--limit N] [--gateway URL --token T] | matrix --format csv|md [--coordinates A.b,…] | explain (--public | --agency A --roles r,…) [--purpose P] --coordinate T.f`;

function fail(message: string): never {
  console.error(`audit: ${message}\n${USAGE}`);
  process.exit(2);
}

const [command, ...rest] = process.argv.slice(2);
let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    args: rest,
    options: {
      format: { type: 'string', default: 'md' },
      coordinates: { type: 'string' },
      agency: { type: 'string' },
      roles: { type: 'string', default: '' },
      region: { type: 'string' },
      purpose: { type: 'string' },
      coordinate: { type: 'string' },
      public: { type: 'boolean', default: false },
      uscc: { type: 'string' },
      sub: { type: 'string' },
      effect: { type: 'string' },
      outcome: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string', default: '20' },
      gateway: { type: 'string' },
      token: { type: 'string' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
const str = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);

const gatewayUrl = str('gateway') ?? process.env['MEG_AUDIT_GATEWAY'];
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

switch (command) {
  case 'verify': {
    const v = gatewayUrl ? await verifyThroughGateway(gatewayUrl) : await withLog((log) => log.verify(anchorsOrWarn()));
    if (v.intact) {
      const anchors =
        v.anchored > 0 ? `${v.anchored} of ${v.chains} chain heads found where anchored` : `0 of ${v.chains} chain heads anchored outside the store: a tail cut off them could not be seen`;
      console.log(`intact: ${plural(v.chains, 'chain')}, ${plural(v.records, 'record')}; ${anchors}`);
    } else {
      console.log(`BROKEN: chain ${v.chainId}, record ${v.seq}: ${v.reason} (${v.records} records verified before it)`);
      process.exitCode = 1;
    }
    break;
  }
  case 'matrix': {
    const format = str('format');
    if (format !== 'csv' && format !== 'md') fail('--format must be csv or md');
    const policy = await loadPolicy();
    const coordinates = str('coordinates')
      ?.split(',')
      .map((c) => c.trim())
      .filter(Boolean) ?? [...policy.catalogue.keys()];
    const unknown = coordinates.filter((c) => !policy.catalogue.has(c));
    if (unknown.length > 0) fail(`not in the catalogue: ${unknown.join(', ')}`);
    process.stdout.write(formatMatrix(policyMatrix(policy, callerProfiles(purposeValues()), coordinates), coordinates, format));
    break;
  }
  case 'explain': {
    const coordinate = str('coordinate') ?? fail('--coordinate is required');
    const isPublic = values['public'] === true;
    const agency = isPublic ? null : (str('agency') ?? fail('--agency (or --public) is required'));
    const purpose = str('purpose') ?? null;
    if (purpose && !purposeValues().includes(purpose)) fail(`"${purpose}" is not a purpose; choose from ${purposeValues().join(', ')}`);
    const policy = await loadPolicy();
    const roles = (str('roles') ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const d = explainAccess(policy, { sub: 'explain', agency, roles, region: str('region') ?? null, purposes: purpose ? [purpose] : [], public: isPublic }, purpose, coordinate);
    console.log(`${coordinate}: ${d.effect}${d.mask ? ` (${d.mask})` : ''}`);
    console.log(`  rule:   ${d.rule}`);
    console.log(`  reason: ${d.reason}`);
    if (d.field)
      console.log(
        `  field:  owned by ${d.field.owners.join(', ')}; ${d.field.sharing}${d.field.personal ? ', personal' : ''}${d.field.purposes.length ? `; purposes ${d.field.purposes.join(', ')}` : ''}`,
      );
    break;
  }
  case 'log': {
    const limit = Number(str('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) fail('--limit must be 1–10000');
    const search: AuditSearch = {
      uscc: str('uscc'),
      sub: str('sub'),
      agency: str('agency'),
      purpose: str('purpose'),
      coordinate: str('coordinate'),
      effect: str('effect'),
      outcome: str('outcome'),
      from: str('from'),
      to: str('to'),
    };
    const page = gatewayUrl ? await searchThroughGateway(gatewayUrl, search, limit) : await withLog((log) => log.search(search, limit));
    for (const r of page.records) {
      const denied = r.decisions.filter((d) => d.effect === 'DENY').length;
      const masked = r.decisions.filter((d) => d.effect === 'MASK').length;
      console.log(
        `${r.at}  ${r.outcome.padEnd(7)} ${r.channel.padEnd(7)} ${(r.principal.agency ?? 'public').padEnd(18)} ${(r.principal.sub ?? '-').padEnd(20)} ${(r.purpose ?? '-').padEnd(22)} ` +
          `${r.operationName ?? '-'}  enterprises=${r.enterprises.length} fields=${r.decisions.length} masked=${masked} denied=${denied}  ${r.requestId}`,
      );
    }
    if (page.hasNextPage) console.log(`… more; raise --limit or narrow the filters`);
    break;
  }
  default:
    fail(command ? `unknown command "${command}"` : 'a command is required');
}

/** Runs `work` over the log's store, opened to be read; a store a gateway holds is refused with what to do instead. */
async function withLog<T>(work: (log: AuditLog) => Promise<T>): Promise<T> {
  let log: AuditLog;
  try {
    log = await AuditLog.openReader(auditDatabaseFrom(process.env));
  } catch (error) {
    if (error instanceof StoreInUseError) {
      const config = loadGatewayConfig();
      console.error(
        `audit: ${error.message}.\nAsk the running gateway instead, as an auditor:\n` +
          `  npm run -s audit -- ${command} --gateway http://${config.host}:${config.port}/graphql --token "$(npm run -s token -- --agency AUDIT_OFFICE --roles auditor --purposes AUDIT)"`,
      );
      process.exit(3);
    }
    console.error(`audit: ${(error as Error).message}`);
    process.exit(2);
  }
  try {
    return await work(log);
  } finally {
    await log.close();
  }
}

/** The anchors of this environment's chains, or none (with a warning) when there is no key to check them with. */
function anchorsOrWarn(): AnchorReading | undefined {
  const keyFile = auditAnchorPublicKeyFileFrom(process.env);
  if (!existsSync(keyFile)) {
    console.error(`audit: no anchor key at ${keyFile} (MEG_AUDIT_ANCHOR_PUBLIC_KEY): the chains' heads are not checked against their anchors`);
    return undefined;
  }
  return readAnchors(auditAnchorDirFrom(process.env), readEd25519Key(keyFile, 'public', 'audit anchor'));
}

/** Asks the gateway at `url` as the auditor of `--token`; exits with the gateway's refusal. */
async function askGateway<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const token = str('token') ?? process.env['MEG_AUDIT_TOKEN'] ?? fail('--token (or MEG_AUDIT_TOKEN) is required with --gateway: an auditor token with the AUDIT purpose');
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'AUDIT' },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    console.error(`audit: the gateway at ${url} cannot be reached: ${(error as Error).message}`);
    process.exit(2);
  }
  const body = (await res.json().catch(() => ({}))) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    const e = body.errors?.[0];
    console.error(`audit: the gateway refused: ${e ? `${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}` : `HTTP ${res.status}`}`);
    process.exit(2);
  }
  return body.data as T;
}

async function verifyThroughGateway(url: string): Promise<Verification> {
  const answer = await askGateway<AuditVerificationQuery>(
    url,
    /* GraphQL */ `
      query AuditVerification {
        auditVerification {
          intact
          chains
          records
          anchoredChains
          brokenChainId
          brokenSeq
          reason
        }
      }
    `,
    {},
  );
  const v = answered(answer.auditVerification, 'auditVerification');
  const counts = { chains: answered(v.chains, 'chains'), records: answered(v.records, 'records'), anchored: answered(v.anchoredChains, 'anchoredChains') };
  return answered(v.intact, 'intact') ? { intact: true, ...counts } : { intact: false, ...counts, chainId: v.brokenChainId ?? '', seq: v.brokenSeq ?? 0, reason: v.reason ?? '' };
}

async function searchThroughGateway(url: string, search: AuditSearch, limit: number): Promise<{ records: AuditRecord[]; hasNextPage: boolean }> {
  const records: AuditRecord[] = [];
  const filter = Object.fromEntries(Object.entries(search).filter(([, v]) => v != null));
  let after: string | null = null;
  let hasNextPage = true;
  while (records.length < limit && hasNextPage) {
    const answer: AuditLogPageQuery = await askGateway<AuditLogPageQuery>(
      url,
      /* GraphQL */ `
        query AuditLogPage($f: AuditLogFilter, $n: Int, $a: String) {
          auditLog(filter: $f, first: $n, after: $a) {
            records {
              chainId
              seq
              at
              requestId
              channel
              principalSub
              principalAgency
              principalRoles
              principalRegion
              purpose
              operationName
              operationHash
              enterprises
              decisions {
                coordinate
                effect
                rule
              }
              policyRevision
              outcome
              detail
              address
              hash
              prevHash
            }
            hasNextPage
            endCursor
          }
        }
      `,
      { f: filter, n: Math.min(200, limit - records.length), a: after },
    );
    const page = answered(answer.auditLog, 'auditLog');
    for (const record of answered(page.records, 'auditLog.records')) records.push(recordFromGateway(record));
    hasNextPage = answered(page.hasNextPage, 'auditLog.hasNextPage');
    after = page.endCursor;
  }
  return { records, hasNextPage };
}

/** A record of the log as the gateway answered it. */
type GatewayRecord = NonNullable<NonNullable<AuditLogPageQuery['auditLog']>['records']>[number];

/** The log's own form of a record the gateway answered with; every field the log always holds must be there. */
function recordFromGateway(r: GatewayRecord): AuditRecord {
  // Here rather than at the module's level: the command at its top runs before constants declared below it are set.
  const channels: readonly Channel[] = ['graphql', 'grpc', 'console'];
  const outcomes: readonly AuditOutcome[] = ['ok', 'partial', 'refused', 'error'];
  return {
    chainId: answered(r.chainId, 'chainId'),
    seq: answered(r.seq, 'seq'),
    prevHash: answered(r.prevHash, 'prevHash'),
    hash: answered(r.hash, 'hash'),
    at: answered(r.at, 'at'),
    requestId: answered(r.requestId, 'requestId'),
    channel: answered(
      channels.find((c) => c === r.channel),
      `channel (one of ${channels.join(', ')})`,
    ),
    principal: { sub: r.principalSub, agency: r.principalAgency, roles: answered(r.principalRoles, 'principalRoles'), region: r.principalRegion },
    purpose: r.purpose,
    operationName: r.operationName,
    operationHash: r.operationHash,
    enterprises: answered(r.enterprises, 'enterprises'),
    decisions: answered(r.decisions, 'decisions').map((d) => ({
      coordinate: answered(d.coordinate, 'decisions.coordinate'),
      effect: answered(d.effect, 'decisions.effect'),
      rule: answered(d.rule, 'decisions.rule'),
    })),
    policyRevision: answered(r.policyRevision, 'policyRevision'),
    outcome: answered(
      outcomes.find((o) => o === r.outcome),
      `outcome (one of ${outcomes.join(', ')})`,
    ),
    ...(r.detail != null ? { detail: r.detail } : {}),
    ...(r.address != null ? { address: r.address } : {}),
  };
}

/**
 * `value`, or the end of the command when the gateway left it out: the schema lets the policy
 * null any field, and an auditor must not read a partial answer as a whole one.
 */
function answered<T>(value: T | null | undefined, field: string): T {
  if (value === null || value === undefined) {
    console.error(`audit: the gateway's answer has no ${field}`);
    process.exit(2);
  }
  return value;
}

async function loadPolicy(): Promise<AccessPolicy> {
  const config = loadGatewayConfig();
  return AccessPolicy.load(config.policyFile, config.catalogueFile);
}
