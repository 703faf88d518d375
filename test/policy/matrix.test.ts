/**
 * The access policy end to end: callers × field coordinates, each cell the effect a person would
 * see in the response (the value, a masked value, or null with a FORBIDDEN_FIELD error).
 */
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS, headersFor, type Caller } from '../support/callers.js';
import { graphql, statementCount, subgraphMetrics } from '../support/graphql.js';
import { universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const federation = inject('federation');
// Risky traders: annual reports, a customs record, employees; the subject is the first whose tax
// arrears are on record (read before the tests), so that the lists compared are not empty.
const candidates = universe(federation.seed, federation.size).filter((e) => e.trades && e.risk > 0.94 && e.headcount > 0 && e.establishedOn < '2020-01-01');
let subject: (typeof candidates)[number];

const QUERY = /* GraphQL */ `
  query Matrix($uscc: USCC!) {
    enterprise(uscc: $uscc) {
      market {
        name
        legalRepresentative {
          idNumber
        }
        annualReports {
          totalAssets
        }
      }
      tax {
        majorViolations {
          caseNo
        }
        taxpayerType
        arrears {
          since
        }
        filings {
          revenue
        }
      }
      social {
        insuredHeadcount
      }
      customs {
        creditLevel
      }
    }
  }
`;

type Effect = 'ALLOW' | 'MASK' | 'DENY';
/** Where each coordinate's value is in the response, and what its full and masked forms look like. */
const CELLS: Record<string, { read: (e: Untyped) => unknown; full: (v: unknown) => boolean; masked?: (v: unknown) => boolean }> = {
  'MarketProfile.name': { read: (e) => e.market.name, full: (v) => v === subject.name },
  'LegalRepresentative.idNumber': {
    read: (e) => e.market.legalRepresentative.idNumber,
    full: (v) => v === subject.legalRepresentative.idNumber,
    masked: (v) => v === `${subject.legalRepresentative.idNumber.slice(0, 6)}********${subject.legalRepresentative.idNumber.slice(-4)}`,
  },
  'AnnualReport.totalAssets': {
    read: (e) => e.market.annualReports[0].totalAssets,
    full: (v) => typeof v === 'number',
    masked: (v) => typeof v === 'string' && /^(0-10k|10k-100k|100k-1M|1M-10M|10M\+)$/.test(v),
  },
  'TaxProfile.majorViolations': { read: (e) => e.tax.majorViolations, full: (v) => wholeList(v, 'caseNo', held.majorViolations) },
  'TaxProfile.taxpayerType': { read: (e) => e.tax.taxpayerType, full: (v) => v === 'GENERAL_TAXPAYER' || v === 'SMALL_SCALE_TAXPAYER' },
  'TaxProfile.arrears': { read: (e) => e.tax.arrears, full: (v) => wholeList(v, 'since', held.arrears) },
  'TaxProfile.filings': { read: (e) => e.tax.filings, full: (v) => Array.isArray(v) && v.length > 0 && v.every((f: { revenue: unknown }) => typeof f.revenue === 'number') },
  'Enterprise.social': { read: (e) => e.social, full: (v) => typeof (v as { insuredHeadcount: unknown })?.insuredHeadcount === 'number' },
  'CustomsProfile.creditLevel': { read: (e) => e.customs.creditLevel, full: (v) => ['ADVANCED_CERTIFIED', 'GENERAL', 'DISHONEST'].includes(v as string) },
};

/** How many major violations and arrears the tax agency holds for the subject, and the social agency's first employees of it, in the list's order. */
const held = { majorViolations: -1, arrears: -1, employees: [] as { name: string; id_number: string; insured_since: string }[] };

/** A list as its owner holds it: as many entries, each with `field` filled in. */
function wholeList(value: unknown, field: string, count: number): boolean {
  return Array.isArray(value) && value.length === count && value.every((entry) => typeof (entry as Record<string, unknown>)[field] === 'string');
}

/** Runs `fn` with a client of an agency's own database. */
async function withDatabase<T>(agency: 'TAX' | 'SOCIAL', fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: federation.env[`DATABASE_URL_${agency}`] });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await withDatabase('TAX', async (client) => {
    const owing = new Set((await client.query('SELECT DISTINCT uscc FROM tax_arrears WHERE uscc = ANY($1)', [candidates.map((e) => e.uscc)])).rows.map((r) => r.uscc));
    const found = candidates.find((e) => owing.has(e.uscc));
    if (!found) throw new Error('no risky trader of the test universe has tax arrears on record');
    subject = found;
    const count = async (table: string) => Number((await client.query(`SELECT count(*) AS n FROM ${table} WHERE uscc = $1`, [subject.uscc])).rows[0].n);
    held.majorViolations = await count('tax_major_violations');
    held.arrears = await count('tax_arrears');
  });
  held.employees = await withDatabase(
    'SOCIAL',
    async (client) => (await client.query('SELECT name, id_number, insured_since::text AS insured_since FROM social_employees WHERE uscc = $1 ORDER BY name, id_number LIMIT 3', [subject.uscc])).rows,
  );
  expect(held.arrears).toBeGreaterThan(0);
  expect(held.employees.length).toBeGreaterThan(0);
});

const A: Effect = 'ALLOW';
const M: Effect = 'MASK';
const D: Effect = 'DENY';
// prettier-ignore
const MATRIX: [Caller, Record<keyof typeof CELLS, Effect>][] = [
  //                                  name  idNumber assets majorV  taxType arrears filings social creditLevel
  [CALLERS.public,                 row(A,   D,       D,     A,      D,      D,      D,      D,     A)],
  [CALLERS.marketOfficer,          row(A,   A,       A,     A,      A,      D,      D,      A,     A)],
  [CALLERS.marketOfficerSupervising, row(A, A,       A,     A,      A,      A,      D,      A,     A)],
  [CALLERS.taxOfficer,             row(A,   M,       M,     A,      A,      A,      A,      A,     A)],
  [CALLERS.socialOfficerPunishing, row(A,   A,       M,     A,      A,      A,      D,      A,     A)],
  [CALLERS.socialOfficerAdministering, row(A, M,       M,     A,      A,      D,      D,      A,     A)],
  [CALLERS.customsOfficer,         row(A,   M,       M,     A,      A,      D,      D,      A,     A)],
  [CALLERS.procurement,            row(A,   M,       A,     A,      A,      A,      D,      A,     A)],
  [CALLERS.auditor,                row(A,   D,       D,     A,      D,      D,      D,      D,     A)],
];

function row(...effects: Effect[]): Record<string, Effect> {
  return Object.fromEntries(Object.keys(CELLS).map((c, i) => [c, effects[i]!]));
}

describe('what each caller sees of an enterprise', () => {
  it.each(MATRIX)('%s', async (caller, expected) => {
    const { status, body } = await graphql(federation.gatewayUrl, QUERY, { uscc: subject.uscc }, await headersFor(federation, caller));
    expect(status).toBe(200);
    const enterprise = body.data!['enterprise'];
    const forbidden = new Map((body.errors ?? []).map((e) => [e.extensions?.['coordinate'], e]));
    // Every error is a policy refusal: nothing else went wrong, and exactly the cells denied are refused.
    expect((body.errors ?? []).filter((e) => e.extensions?.['code'] !== 'FORBIDDEN_FIELD')).toEqual([]);
    expect([...forbidden.keys()].sort()).toEqual(
      Object.keys(expected)
        .filter((c) => expected[c] === 'DENY')
        .sort(),
    );

    const seen: Record<string, Effect> = {};
    for (const [coordinate, cell] of Object.entries(CELLS)) {
      let value: unknown;
      try {
        value = cell.read(enterprise);
      } catch {
        value = null; // a denied parent
      }
      if (forbidden.has(coordinate)) {
        expect(value, coordinate).toBeNull();
        seen[coordinate] = 'DENY';
      } else if (cell.masked?.(value)) {
        seen[coordinate] = 'MASK';
      } else {
        expect(cell.full(value), `${coordinate} = ${JSON.stringify(value)}`).toBe(true);
        seen[coordinate] = 'ALLOW';
      }
    }
    expect(seen).toEqual(expected);
  });

  it('says why a field is refused, with its coordinate and classification', async () => {
    const { body } = await graphql(federation.gatewayUrl, QUERY, { uscc: subject.uscc }, await headersFor(federation, CALLERS.customsOfficer));
    expect(body.errors!.find((e) => e.extensions?.['coordinate'] === 'TaxProfile.arrears')).toEqual({
      message:
        'TaxProfile.arrears is not shared with this caller: shared only for CREDIT_SUPERVISION, FISCAL_SUBSIDY, JOINT_INCENTIVE, JOINT_PUNISHMENT, PUBLIC_PROCUREMENT; for CUSTOMS_SUPERVISION not shared (CONDITIONAL)',
      path: ['enterprise', 'tax', 'arrears'],
      extensions: {
        code: 'FORBIDDEN_FIELD',
        coordinate: 'TaxProfile.arrears',
        sharing: 'CONDITIONAL',
        rule: 'conditional_purpose_missing',
        reason: 'shared only for CREDIT_SUPERVISION, FISCAL_SUBSIDY, JOINT_INCENTIVE, JOINT_PUNISHMENT, PUBLIC_PROCUREMENT; for CUSTOMS_SUPERVISION not shared (CONDITIONAL)',
      },
    });
  });

  it('never asks the owning agency for a denied field', async () => {
    const before = await subgraphMetrics(federation.adminUrls.tax);
    const { body } = await graphql(
      federation.gatewayUrl,
      'query($u: USCC!) { enterprise(uscc: $u) { tax { taxpayerType filings { revenue } arrears { amount } } } }',
      { u: subject.uscc },
      await headersFor(federation, CALLERS.customsOfficer),
    );
    expect(body.data!['enterprise'].tax).toEqual({ taxpayerType: expect.any(String), filings: null, arrears: null });
    const after = await subgraphMetrics(federation.adminUrls.tax);
    expect(statementCount(after, 'tax', 'tax_taxpayers') - statementCount(before, 'tax', 'tax_taxpayers')).toBe(1);
    expect(statementCount(after, 'tax', 'tax_filings')).toBe(statementCount(before, 'tax', 'tax_filings'));
    expect(statementCount(after, 'tax', 'tax_arrears')).toBe(statementCount(before, 'tax', 'tax_arrears'));
  });

  it('keeps a selection whose every field is denied valid, answering null for each', async () => {
    const { body } = await graphql(
      federation.gatewayUrl,
      'query($u: USCC!) { enterprise(uscc: $u) { tax { filings { revenue } arrears { since } } } }',
      { u: subject.uscc },
      await headersFor(federation, CALLERS.customsOfficer),
    );
    expect(body.data).toEqual({ enterprise: { tax: { filings: null, arrears: null } } });
    expect(body.errors!.map((e) => e.extensions?.['coordinate']).sort()).toEqual(['TaxProfile.arrears', 'TaxProfile.filings']);
  });

  it('lets tax cross-check employees without reading who they are', async () => {
    const query = 'query($u: USCC!) { enterprise(uscc: $u) { social { employees(first: 3) { edges { node { name idNumber insuredSince } } } } } }';
    const asSocial = await graphql(federation.gatewayUrl, query, { u: subject.uscc }, await headersFor(federation, CALLERS.socialOfficerAdministering));
    const asTax = await graphql(federation.gatewayUrl, query, { u: subject.uscc }, await headersFor(federation, CALLERS.taxOfficer));
    const again = await graphql(federation.gatewayUrl, query, { u: subject.uscc }, await headersFor(federation, CALLERS.taxOfficer));
    const people = (r: typeof asTax) => r.body.data!['enterprise'].social.employees.edges.map((e: { node: Record<string, string> }) => e.node);
    // The owner reads its employees as its database holds them; tax reads them masked.
    expect(people(asSocial)).toEqual(held.employees.map((p) => ({ name: p.name, idNumber: p.id_number, insuredSince: p.insured_since })));
    expect(asTax.body.errors).toBeUndefined();
    expect(people(asTax)).toEqual(
      held.employees.map((p) => ({
        name: `${[...p.name][0]}${'*'.repeat([...p.name].length - 1)}`,
        idNumber: expect.stringMatching(/^h:[\w-]{22}$/),
        insuredSince: p.insured_since.slice(0, 4),
      })),
    );
    // The same person hashes the same every time, so records can be linked.
    expect(people(again)).toEqual(people(asTax));
  });

  it('applies the decisions through aliases and fragments', async () => {
    const { body } = await graphql(
      federation.gatewayUrl,
      `
        query ($u: USCC!) {
          e: enterprise(uscc: $u) {
            market {
              ...Rep
            }
            again: market {
              legalRepresentative {
                id: idNumber
              }
            }
          }
        }
        fragment Rep on MarketProfile {
          legalRepresentative {
            idNumber
            name
          }
        }
      `,
      { u: subject.uscc },
      await headersFor(federation, CALLERS.customsOfficer),
    );
    const masked = `${subject.legalRepresentative.idNumber.slice(0, 6)}********${subject.legalRepresentative.idNumber.slice(-4)}`;
    expect(body.data).toEqual({
      e: { market: { legalRepresentative: { idNumber: masked, name: subject.legalRepresentative.name } }, again: { legalRepresentative: { id: masked } } },
    });
  });
});
