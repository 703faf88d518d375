import { describe, expect, inject, it } from 'vitest';
import { AGENCIES } from '../../platform/domain/agencies.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql, requestCount, roundTripCount, statementCount, subgraphMetrics } from '../support/graphql.js';
import { firstWhere, universe } from '../support/universe.js';

const federation = inject('federation');
const enterprises = universe(federation.seed, 1_000);
// The list starts with an enterprise every agency knows, so even a list of one reads every table.
const known = firstWhere(enterprises, 'is known to every agency', (e) => e.trades && e.headcount > 0 && e.establishedOn < '2022-01-01');
const codes = [known.uscc, ...enterprises.filter((e) => e !== known).map((e) => e.uscc)];

const LIST = /* GraphQL */ `
  query List($codes: [USCC!]!) {
    enterprises(uscc: $codes) {
      uscc
      market {
        name
        penalties {
          decisionNo
        }
        abnormalOperations {
          reason
        }
        legalRepresentative {
          name
        }
      }
      tax {
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
        declarations(first: 2) {
          totalCount
          edges {
            node {
              entryNo
            }
          }
        }
      }
    }
  }
`;

/**
 * Round trips to each agency's database for the query above: the tables an enterprise's profile
 * needs are read in one statement with it (look-ahead); customs' declarations are paged, with
 * arguments, and come one turn later.
 */
const ROUND_TRIPS: Record<string, number> = { market: 1, tax: 1, social: 1, customs: 2 };

/** Every table the query above reads, by agency. */
const TABLES: Record<string, string[]> = {
  market: ['market_registrations', 'market_penalties', 'market_abnormal_operations'],
  tax: ['tax_taxpayers', 'tax_credit_ratings', 'tax_arrears', 'tax_major_violations'],
  social: ['social_employers', 'social_headcounts', 'social_arrears'],
  customs: ['customs_registrations', 'customs_declarations'],
};

async function counters(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const agency of AGENCIES) {
    const metrics = await subgraphMetrics(federation.adminUrls[agency]);
    out[`${agency} requests`] = requestCount(metrics, agency);
    out[`${agency} round trips`] = roundTripCount(metrics, agency);
    for (const table of TABLES[agency]!) out[table] = statementCount(metrics, agency, table);
  }
  return out;
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]));
}

describe('batching', () => {
  it.each([1, 1_000])('a list of %i enterprises costs one request per agency, one statement per table and one or two round trips', async (n) => {
    const before = await counters();
    // Credit supervision is a purpose every agency shares all these fields for.
    const { body } = await graphql(federation.gatewayUrl, LIST, { codes: codes.slice(0, n) }, await headersFor(federation, CALLERS.creditSupervisor));
    expect(body.errors).toBeUndefined();
    expect(body.data!['enterprises']).toHaveLength(n);
    expect(body.data!['enterprises'].every((e: { market: unknown }) => e.market !== null)).toBe(true);
    const delta = difference(await counters(), before);
    const expected = Object.keys(before).map((k) => [k, k.endsWith(' round trips') ? ROUND_TRIPS[k.split(' ')[0]!] : 1]);
    expect(delta).toEqual(Object.fromEntries(expected));
  });
});
