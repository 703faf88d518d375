import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { composeUscc } from '../../platform/domain/uscc.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { firstWhere, universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const federation = inject('federation');
const enterprises = universe(federation.seed, federation.size);
// Established long enough ago to have a tax rating, with employees and customs records.
const trader = firstWhere(enterprises, 'trades, employs and has a rating', (e) => e.trades && e.headcount > 2 && e.establishedOn < '2022-01-01');

/** How many entries of each list the owning agencies hold for `uscc`, read from their own databases. */
async function ownersCounts(uscc: string): Promise<Record<string, number>> {
  const count = async (agency: string, table: string) => {
    const client = new pg.Client({ connectionString: federation.env[`DATABASE_URL_${agency}`] });
    await client.connect();
    try {
      return Number((await client.query(`SELECT count(*) AS n FROM ${table} WHERE uscc = $1`, [uscc])).rows[0].n);
    } finally {
      await client.end();
    }
  };
  return {
    penalties: await count('MARKET', 'market_penalties'),
    abnormalOperations: await count('MARKET', 'market_abnormal_operations'),
    seriousViolations: await count('MARKET', 'market_serious_violations'),
    taxArrears: await count('TAX', 'tax_arrears'),
    majorViolations: await count('TAX', 'tax_major_violations'),
    socialArrears: await count('SOCIAL', 'social_arrears'),
    creditRatings: await count('TAX', 'tax_credit_ratings'),
  };
}

/** The entries of each list in an answer to PROFILE, counting only entries whose fields came back. */
function countsOf(e: Untyped): Record<string, number> {
  const whole = (list: Record<string, unknown>[], field: string, type: string) => list.filter((x) => typeof x[field] === type).length;
  return {
    penalties: whole(e.market.penalties, 'decisionNo', 'string'),
    abnormalOperations: whole(e.market.abnormalOperations, 'reason', 'string'),
    seriousViolations: whole(e.market.seriousViolations, 'reason', 'string'),
    taxArrears: whole(e.tax.arrears, 'amount', 'number'),
    majorViolations: whole(e.tax.majorViolations, 'caseNo', 'string'),
    socialArrears: whole(e.social.arrears, 'amount', 'number'),
    creditRatings: whole(e.tax.creditRatings, 'rating', 'string'),
  };
}

/** The enterprise on the most of the lists PROFILE reads (by the owners' databases). */
async function mostListed(): Promise<string> {
  const lists: [string, string][] = [
    ['MARKET', 'market_penalties'],
    ['MARKET', 'market_abnormal_operations'],
    ['MARKET', 'market_serious_violations'],
    ['TAX', 'tax_arrears'],
    ['TAX', 'tax_major_violations'],
    ['SOCIAL', 'social_arrears'],
  ];
  const onLists = new Map<string, number>();
  for (const [agency, table] of lists) {
    const client = new pg.Client({ connectionString: federation.env[`DATABASE_URL_${agency}`] });
    await client.connect();
    try {
      for (const { uscc } of (await client.query(`SELECT DISTINCT uscc FROM ${table}`)).rows) onLists.set(uscc, (onLists.get(uscc) ?? 0) + 1);
    } finally {
      await client.end();
    }
  }
  const [best] = [...onLists].sort(([a, n], [b, m]) => m - n || a.localeCompare(b));
  expect(best![1]).toBeGreaterThanOrEqual(3);
  return best![0];
}

const PROFILE = /* GraphQL */ `
  query Profile($uscc: USCC!) {
    enterprise(uscc: $uscc) {
      uscc
      market {
        name
        status
        regionCode
        industryCode
        legalRepresentative {
          name
          idNumber
        }
        penalties {
          decisionNo
          amount
        }
        abnormalOperations {
          reason
          listedOn
        }
        seriousViolations {
          reason
        }
      }
      tax {
        taxpayerType
        creditRatings {
          year
          rating
        }
        arrears {
          amount
        }
        majorViolations {
          caseNo
        }
      }
      social {
        insuredHeadcount
        arrears {
          amount
        }
      }
      customs {
        creditLevel
        declarations(first: 3) {
          totalCount
          edges {
            node {
              entryNo
              declaredOn
            }
          }
          pageInfo {
            hasNextPage
          }
        }
      }
    }
  }
`;

describe('one enterprise graph over four agencies', () => {
  it('returns what every agency holds about one enterprise in one query', async () => {
    // A credit supervisor: every agency shares these fields for credit supervision, but the
    // legal representative's ID number only masked.
    const as = await headersFor(federation, CALLERS.creditSupervisor);
    const { status, body } = await graphql(federation.gatewayUrl, PROFILE, { uscc: trader.uscc }, as);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const e = body.data!['enterprise'];
    expect(e.uscc).toBe(trader.uscc);
    expect(e.market).toMatchObject({
      name: trader.name,
      regionCode: trader.region.code,
      industryCode: trader.industry.code,
      legalRepresentative: {
        name: trader.legalRepresentative.name,
        idNumber: `${trader.legalRepresentative.idNumber.slice(0, 6)}********${trader.legalRepresentative.idNumber.slice(-4)}`,
      },
    });
    expect(e.tax.creditRatings.length).toBeGreaterThan(0);
    expect(e.tax.creditRatings.map((r: { rating: string }) => r.rating).filter((r: string) => !/^[ABMCD]$/.test(r))).toEqual([]);
    expect(Math.abs(e.social.insuredHeadcount - trader.headcount)).toBeLessThanOrEqual(2);
    expect(['ADVANCED_CERTIFIED', 'GENERAL', 'DISHONEST']).toContain(e.customs.creditLevel);
    const declarations = e.customs.declarations;
    expect(declarations.totalCount).toBeGreaterThan(0);
    expect(declarations.edges.length).toBe(Math.min(3, declarations.totalCount));
    expect(declarations.pageInfo.hasNextPage).toBe(declarations.totalCount > 3);
    const dates = declarations.edges.map((d: { node: { declaredOn: string } }) => d.node.declaredOn);
    expect([...dates].sort().reverse()).toEqual(dates);

    // Every list asked for holds what its owner holds, entry by entry: for this enterprise, and
    // for the one on the most lists, so that the lists compared are not all empty.
    for (const uscc of [trader.uscc, await mostListed()]) {
      const { body } = await graphql(federation.gatewayUrl, PROFILE, { uscc }, as);
      expect(body.errors).toBeUndefined();
      expect({ uscc, ...countsOf(body.data!['enterprise']) }).toEqual({ uscc, ...(await ownersCounts(uscc)) });
    }
  });

  it('returns a list in the order asked, with null for a valid code nobody registered', async () => {
    // Region 150102 (Hohhot) is not in the synthetic universe, so no agency knows this code.
    const unknown = composeUscc('9', '1', '150102', '00000001');
    const codes = [enterprises[7]!.uscc, unknown, trader.uscc];
    const { body } = await graphql(
      federation.gatewayUrl,
      'query List($codes: [USCC!]!) { enterprises(uscc: $codes) { uscc market { name } tax { taxpayerType } } }',
      { codes },
      await headersFor(federation, CALLERS.customsOfficer),
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!['enterprises']).toEqual([
      { uscc: enterprises[7]!.uscc, market: { name: enterprises[7]!.name }, tax: { taxpayerType: expect.stringMatching(/^(GENERAL|SMALL_SCALE)_TAXPAYER$/) } },
      null,
      { uscc: trader.uscc, market: { name: trader.name }, tax: { taxpayerType: expect.stringMatching(/^(GENERAL|SMALL_SCALE)_TAXPAYER$/) } },
    ]);
  });

  it('pages through a search by province, every page within it and no enterprise twice', async () => {
    const search =
      'query Search($after: String) { searchEnterprises(regionCode: "440000", first: 5, after: $after) { edges { cursor node { uscc market { regionCode } } } pageInfo { hasNextPage endCursor } } }';
    const first = await graphql(federation.gatewayUrl, search);
    const page1 = first.body.data!['searchEnterprises'];
    expect(page1.edges).toHaveLength(5);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await graphql(federation.gatewayUrl, search, { after: page1.pageInfo.endCursor });
    const page2 = second.body.data!['searchEnterprises'];
    const all = [...page1.edges, ...page2.edges].map((e: { node: { uscc: string; market: { regionCode: string } } }) => e.node);
    expect(all).toHaveLength(10);
    expect(all.filter((n) => !n.market.regionCode.startsWith('44'))).toEqual([]);
    expect(new Set(all.map((n) => n.uscc)).size).toBe(all.length);
    expect(all.map((n) => n.uscc)).toEqual([...all.map((n) => n.uscc)].sort());
  });

  it('refuses a page size over 100 and a cursor it did not issue', async () => {
    // The gateway refuses it before any agency is asked (the agency would refuse it too).
    const big = await graphql(federation.gatewayUrl, '{ searchEnterprises(first: 1000) { edges { cursor } } }');
    expect(big.status).toBe(400);
    expect(big.body.errors?.[0]).toMatchObject({ message: '"searchEnterprises" asks for first: 1000; a page holds at most 100', extensions: { code: 'PAGE_SIZE_EXCEEDED' } });
    const zero = await graphql(federation.gatewayUrl, '{ searchEnterprises(first: 0) { edges { cursor } } }');
    expect(zero.body.errors?.[0]).toMatchObject({ message: 'first must be between 1 and 100, not 0', extensions: { code: 'BAD_USER_INPUT' } });
    const forged = await graphql(federation.gatewayUrl, '{ searchEnterprises(after: "bm9wZQ") { edges { cursor } } }');
    expect(forged.body.errors).toEqual([
      {
        message: 'after is not a cursor of this list: it was altered, or it comes from another list, enterprise or service',
        path: ['searchEnterprises'],
        extensions: { code: 'INVALID_CURSOR', argument: 'after', service: 'market' },
      },
    ]);
  });
});
