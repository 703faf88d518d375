/**
 * The auditors' command line, over the access log's database and the compiled policy:
 *
 *   npm run -s audit -- verify
 *   npm run -s audit -- matrix --format csv|md [--coordinates A.b,C.d]
 *   npm run -s audit -- explain --agency TAX --roles officer --purpose JOINT_PUNISHMENT --coordinate TaxProfile.arrears
 *   npm run -s audit -- explain --public --coordinate TaxProfile.arrears
 *   npm run -s audit -- log [--uscc CODE] [--sub S] [--agency A] [--purpose P] [--coordinate C] [--effect E] [--from T] [--to T] [--limit N]
 */
import { parseArgs } from 'node:util';
import { auditDatabaseFrom, loadGatewayConfig } from '../gateway/config.js';
import { AuditLog } from '../gateway/audit/auditLog.js';
import { callerProfiles, explainAccess, formatMatrix, policyMatrix } from '../gateway/audit/policyView.js';
import { AccessPolicy } from '../gateway/policy/accessPolicy.js';
import { purposeValues } from '../subgraphs/shared/agencies.js';

const USAGE = `usage: npm run -s audit -- verify | matrix --format csv|md [--coordinates A.b,…] | explain (--public | --agency A --roles r,…) [--purpose P] --coordinate T.f | log [--uscc C] [--sub S] [--agency A] [--purpose P] [--coordinate T.f] [--effect E] [--from T] [--to T] [--limit N]`;

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
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

switch (command) {
  case 'verify': {
    const log = await AuditLog.open(auditDatabaseFrom(process.env), 'audit-cli');
    const v = await log.verify();
    await log.close();
    if (v.intact) {
      console.log(`intact: ${v.chains} chain${v.chains === 1 ? '' : 's'}, ${v.records} record${v.records === 1 ? '' : 's'}`);
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
    const coordinates = str('coordinates')?.split(',').map((c) => c.trim()).filter(Boolean) ?? [...policy.catalogue.keys()];
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
    const roles = (str('roles') ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    const d = explainAccess(policy, { sub: 'explain', agency, roles, region: str('region') ?? null, purposes: purpose ? [purpose] : [], public: isPublic }, purpose, coordinate);
    console.log(`${coordinate}: ${d.effect}${d.mask ? ` (${d.mask})` : ''}`);
    console.log(`  rule:   ${d.rule}`);
    console.log(`  reason: ${d.reason}`);
    if (d.field) console.log(`  field:  owned by ${d.field.owners.join(', ')}; ${d.field.sharing}${d.field.personal ? ', personal' : ''}${d.field.purposes.length ? `; purposes ${d.field.purposes.join(', ')}` : ''}`);
    break;
  }
  case 'log': {
    const limit = Number(str('limit'));
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) fail('--limit must be 1–10000');
    const log = await AuditLog.open(auditDatabaseFrom(process.env), 'audit-cli');
    const page = await log.search(
      { uscc: str('uscc'), sub: str('sub'), agency: str('agency'), purpose: str('purpose'), coordinate: str('coordinate'), effect: str('effect'), outcome: str('outcome'), from: str('from'), to: str('to') },
      limit,
    );
    await log.close();
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

async function loadPolicy(): Promise<AccessPolicy> {
  const config = loadGatewayConfig();
  return AccessPolicy.load(config.policyFile, config.catalogueFile);
}
