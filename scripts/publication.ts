/**
 * Publication of licensing and penalty decisions (双公示) from the command line, as an auditor asks
 * a running gateway:
 *
 *   npm run -s publication -- report [--from 2026-01-01] [--to 2026-12-31] [--authority A] [--as-of D] [--json] [--gateway URL] [--token T]
 *
 * The period defaults to this year up to today (in Beijing, on this machine's clock). The gateway is
 * `--gateway`, MEG_AUDIT_GATEWAY, or the local one; the token is `--token` or MEG_AUDIT_TOKEN (an
 * auditor's, with the AUDIT purpose), or, on a development machine where the development issuer
 * key exists (`make start` makes one), a five-minute auditor token minted with it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { mintToken, TOKEN_ISSUER_KEY_FILE } from '../gateway/auth/tokens.js';
import { loadGatewayConfig } from '../gateway/config.js';
import type { PublicationReportQuery } from '../gateway/generated/graphql/operations.js';
import { dataDirFrom } from '../platform/config/dataLocations.js';
import { chinaDate } from '../platform/time/calendarDate.js';

const USAGE = 'usage: npm run -s publication -- report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--authority NAME] [--as-of YYYY-MM-DD] [--json] [--gateway URL] [--token T]';

function fail(message: string): never {
  console.error(`publication: ${message}\n${USAGE}`);
  process.exit(2);
}

const QUERY = /* GraphQL */ `
  query PublicationReport($from: Date!, $to: Date!, $authority: String, $asOf: Date) {
    publicationCompliance(from: $from, to: $to, authority: $authority, asOf: $asOf) {
      from
      to
      authority
      asOf
      workingDays
      basis
      market {
        ...AgencyPublication
      }
      tax {
        ...AgencyPublication
      }
      customs {
        ...AgencyPublication
      }
    }
  }

  fragment AgencyPublication on AgencyPublicationCompliance {
    agency
    decisions
    onTime
    late
    overdue
    pending
    deadlineUnknown
    authorities {
      authority
      decisions
      onTime
      late
      overdue
      pending
      deadlineUnknown
    }
    cases(first: 20) {
      kind
      entryId
      uscc
      decisionNo
      authority
      decidedOn
      deadline
      publishedOn
      status
      workingDaysLate
      problem
    }
  }
`;

const [command, ...rest] = process.argv.slice(2);
if (command !== 'report') fail(command ? `unknown command "${command}"` : 'a command is required');
let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    args: rest,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      authority: { type: 'string' },
      'as-of': { type: 'string' },
      json: { type: 'boolean', default: false },
      gateway: { type: 'string' },
      token: { type: 'string' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
const str = (name: string) => (typeof values[name] === 'string' ? values[name] : undefined);
for (const name of ['from', 'to', 'as-of']) {
  const value = str(name);
  if (value !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(`--${name} is a date written YYYY-MM-DD, not ${JSON.stringify(value)}`);
}

const today = chinaDate(new Date());
const variables = { from: str('from') ?? `${(str('to') ?? today).slice(0, 4)}-01-01`, to: str('to') ?? today, authority: str('authority') ?? null, asOf: str('as-of') ?? null };
const config = loadGatewayConfig();
const url = str('gateway') ?? process.env['MEG_AUDIT_GATEWAY'] ?? `http://${config.host}:${config.port}/graphql`;
const answer = await ask(url, await token());
const report = answer.publicationCompliance ?? fail('the gateway gave no report');

if (values['json'] === true) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`Publication of licensing and penalty decisions (双公示), ${report.from} to ${report.to}${report.authority ? `, ${report.authority}` : ''}, as of ${report.asOf}`);
  console.log(`Deadline: ${report.workingDays} working days after the decision — ${report.basis}\n`);
  const parts = [report.market, report.tax, report.customs];
  console.log(row(['agency', 'decisions', 'on time', 'late', 'overdue', 'pending', 'unknown']));
  for (const part of parts) if (part) console.log(row([part.agency ?? '', part.decisions, part.onTime, part.late, part.overdue, part.pending, part.deadlineUnknown]));
  for (const part of parts) {
    if (!part || (part.late ?? 0) + (part.overdue ?? 0) + (part.deadlineUnknown ?? 0) === 0) continue;
    console.log(`\n${part.agency}: the authorities most overdue`);
    for (const a of (part.authorities ?? []).slice(0, 10)) console.log(row([a.authority ?? '(not recorded)', a.decisions, a.onTime, a.late, a.overdue, a.pending, a.deadlineUnknown]));
    console.log(`${part.agency}: decisions not on time, overdue first`);
    for (const c of part.cases ?? []) {
      const late = c.status === 'DEADLINE_UNKNOWN' ? c.problem : `${c.workingDaysLate ?? '?'} working days late`;
      console.log(
        `  ${c.status?.padEnd(8)} ${c.kind?.padEnd(22)} ${c.decisionNo}  ${c.uscc}  decided ${c.decidedOn}, due ${c.deadline ?? '?'}, published ${c.publishedOn ?? '—'}: ${late}  (${c.authority ?? 'authority not recorded'})`,
      );
    }
  }
}

function row(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map((c, i) => (i === 0 ? String(c ?? '').padEnd(10) : String(c ?? '—').padStart(9))).join(' ');
}

/** The auditor's token: given, or minted with the development issuer key where there is one. */
async function token(): Promise<string> {
  const given = str('token') ?? process.env['MEG_AUDIT_TOKEN'];
  if (given) return given;
  const issuerKeyFile = path.join(dataDirFrom(process.env), 'keys', TOKEN_ISSUER_KEY_FILE);
  if (!existsSync(issuerKeyFile)) fail('--token (or MEG_AUDIT_TOKEN) is required: an auditor token with the AUDIT purpose');
  return mintToken({ sub: 'publication-report', agency: 'AUDIT_OFFICE', roles: ['auditor'], purposes: ['AUDIT'] }, { issuerKeyFile, ttlSeconds: 300 });
}

async function ask(gateway: string, bearer: string): Promise<PublicationReportQuery> {
  let res: Response;
  try {
    res = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}`, 'x-purpose': 'AUDIT' },
      body: JSON.stringify({ query: QUERY, variables, operationName: 'PublicationReport' }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    console.error(`publication: the gateway at ${gateway} cannot be reached: ${(error as Error).message}`);
    process.exit(2);
  }
  const body = (await res.json().catch(() => ({}))) as { data?: PublicationReportQuery; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length || !body.data) {
    const e = body.errors?.[0];
    console.error(`publication: the gateway refused: ${e ? `${e.message}${e.extensions?.code ? ` (${e.extensions.code})` : ''}` : `HTTP ${res.status}`}`);
    process.exit(2);
  }
  return body.data;
}
