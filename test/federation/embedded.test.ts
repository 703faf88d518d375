/**
 * The embedded default (PGlite) answers like PostgreSQL, and the gateway's process behaviour:
 * the explorer, readiness and graceful shutdown. This file runs its own small federation.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql, requestCount, subgraphMetrics } from '../support/graphql.js';
import { startFederation, waitUntil, type Federation } from '../support/federation.js';
import { universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const shared = inject('federation');
const SIZE = 150;
const codes = universe(shared.seed, SIZE).map((e) => e.uscc);

const PROFILE = /* GraphQL */ `
  query Profiles($codes: [USCC!]!) {
    enterprises(uscc: $codes) {
      uscc
      market {
        name
        entityType
        status
        establishedOn
        registeredCapital
        address
        legalRepresentative {
          name
          idNumber
          phone
        }
        licences {
          licenceNo
          grantedOn
          validUntil
        }
        penalties {
          decisionNo
          amount
          publishedOn
        }
        abnormalOperations {
          reason
          listedOn
          removedOn
        }
        seriousViolations {
          decisionNo
        }
        annualReports {
          year
          totalAssets
        }
      }
      tax {
        taxpayerType
        creditRatings {
          year
          rating
          evaluatedOn
        }
        arrears {
          taxType
          amount
          since
        }
        filings {
          period
          revenue
          taxPaid
        }
      }
      social {
        employerNo
        insuredHeadcount
        headcountHistory {
          month
          insured
        }
        employees(first: 3) {
          totalCount
          edges {
            node {
              name
              idNumber
            }
          }
        }
      }
      customs {
        customsCode
        creditLevel
        declarations(first: 5) {
          totalCount
          edges {
            cursor
            node {
              entryNo
              value
              port
            }
          }
        }
        violations {
          decisionNo
        }
      }
    }
  }
`;

let embedded: Federation;
beforeAll(async () => {
  // Every subgraph answers 300 ms late, so requests are still under way when the gateway is told to stop.
  // It shares the masking key of the PostgreSQL federation, so that keyed hashes compare equal.
  embedded = await startFederation({
    backend: 'pglite',
    size: SIZE,
    seed: shared.seed,
    extraEnv: { MEG_ARTIFICIAL_DELAY_MS: '300', MEG_MASK_HASH_KEY: shared.env['MEG_MASK_HASH_KEY']! },
  });
});
afterAll(async () => {
  await embedded?.stop();
});

describe('the embedded default', () => {
  it('answers the same query exactly as PostgreSQL does', async () => {
    const sample = codes.slice(0, 60);
    // Each federation has its own token issuer; the same kind of caller asks both.
    const [onPglite, onPostgres] = await Promise.all([
      graphql(embedded.gatewayUrl, PROFILE, { codes: sample }, await headersFor(embedded, CALLERS.taxOfficer)),
      graphql(shared.gatewayUrl, PROFILE, { codes: sample }, await headersFor(shared, CALLERS.taxOfficer)),
    ]);
    expect(onPglite.body.errors).toBeUndefined();
    // Cursors are sealed with a nonce of their own, so no two answers carry the same one; what
    // they stand for is compared by the page that follows them, below.
    expect(withoutCursors(onPglite.body)).toEqual(withoutCursors(onPostgres.body));
    const cursorOf = (body: typeof onPglite.body) => (body.data!['enterprises'] as Untyped[]).find((e) => e.customs?.declarations.edges.length > 0).customs.declarations.edges[0].cursor as string;
    const NEXT = 'query($c: [USCC!]!, $a: String) { enterprises(uscc: $c) { customs { declarations(first: 5, after: $a) { edges { node { entryNo } } } } } }';
    const subject = (onPglite.body.data!['enterprises'] as Untyped[]).find((e) => e.customs?.declarations.edges.length > 0).uscc;
    const [nextOnPglite, nextOnPostgres] = await Promise.all([
      graphql(embedded.gatewayUrl, NEXT, { c: [subject], a: cursorOf(onPglite.body) }, await headersFor(embedded, CALLERS.taxOfficer)),
      graphql(shared.gatewayUrl, NEXT, { c: [subject], a: cursorOf(onPostgres.body) }, await headersFor(shared, CALLERS.taxOfficer)),
    ]);
    expect(nextOnPglite.body.errors).toBeUndefined();
    expect(nextOnPglite.body).toEqual(nextOnPostgres.body);
    // Timings of the agencies are not told to callers unless MEG_SERVER_TIMING is on.
    expect(onPostgres.headers.get('server-timing')).toBeNull();
    // The agencies' own logs say who asked and for what: the context the gateway signed.
    const requestId = onPglite.headers.get('x-request-id');
    const taxLog = embedded
      .logs('tax')
      .split('\n')
      .filter((l) => l.includes(`"requestId":"${requestId}"`))
      .map((l) => JSON.parse(l));
    expect(taxLog.length).toBeGreaterThan(0);
    expect(taxLog[0].caller).toEqual({ sub: 'tax-officer-1', agency: 'TAX', purpose: 'TAX_ADMINISTRATION' });
    // Not vacuous: every agency contributed something.
    const list = onPglite.body.data!['enterprises'] as Record<string, unknown>[];
    for (const agency of ['market', 'tax', 'social', 'customs']) expect(list.some((e) => e[agency] !== null)).toBe(true);
  });
});

describe('the gateway process', () => {
  it('gives a browser an explorer that loads nothing from outside', async () => {
    const page = await fetch(embedded.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.length).toBeGreaterThanOrEqual(5);
    for (const source of sources) {
      expect(source.startsWith('/explorer/')).toBe(true);
      const asset = await fetch(new URL(source, embedded.gatewayUrl));
      expect(asset.status).toBe(200);
      expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
  });

  it('stays ready while an agency is down, reporting the agency beside it, and serves the others', async () => {
    const health = await fetch(new URL('/healthz', embedded.gatewayUrl));
    expect(health.status).toBe(200);
    const before = await fetch(new URL('/readyz', embedded.gatewayUrl));
    expect(before.status).toBe(200);
    expect(await before.json()).toMatchObject({
      status: 'ready',
      policy: { loaded: true, revision: expect.stringMatching(/^[0-9a-f]{64}$/) },
      audit: { writable: true },
      subgraphs: { market: { ready: true }, tax: { ready: true }, social: { ready: true }, customs: { ready: true } },
    });

    await embedded.stopAgency('customs');
    // Reports are reused for a second: wait for one made after the agency stopped.
    let report: { status: string; subgraphs: Record<string, { ready: boolean }> } | undefined;
    await waitUntil(async () => {
      const readiness = await fetch(new URL('/readyz', embedded.gatewayUrl));
      report = await readiness.json();
      return readiness.status === 200 && report!.subgraphs['customs']?.ready === false;
    }, 30_000);
    expect(report).toMatchObject({ status: 'ready', subgraphs: { customs: { ready: false }, market: { ready: true } } });

    const { body } = await graphql(embedded.gatewayUrl, 'query($c: [USCC!]!) { enterprises(uscc: $c) { uscc market { name } customs { creditLevel } } }', {
      c: codes.slice(0, 3),
    });
    // The customs fields are null with an error naming the agency; the others still arrive.
    const names = universe(shared.seed, 3).map((e) => e.name);
    expect(body.data!['enterprises'].map((e: { market: { name: string } }) => e.market.name)).toEqual(names);
    expect(body.data!['enterprises'].map((e: { customs: unknown }) => e.customs)).toEqual([null, null, null]);
    expect(body.errors?.map((e) => e.extensions?.['service'])).toContain('customs');
  });

  it('says it is draining while it still serves, finishes the requests under way, then exits cleanly', async () => {
    const requests = async () => Promise.all((['market', 'tax'] as const).map(async (a) => requestCount(await subgraphMetrics(embedded.adminUrls[a]), a)));
    const before = await requests();
    const inFlight = Array.from({ length: 5 }, (_, i) =>
      graphql(embedded.gatewayUrl, 'query($c: [USCC!]!) { enterprises(uscc: $c) { uscc market { name } tax { taxpayerType } } }', {
        c: codes.slice(i * 10, i * 10 + 10),
      }),
    );
    // The requests are under way once the agencies have them (each answers 300 ms late).
    await waitUntil(async () => (await requests()).every((n, i) => n >= before[i]! + 5), 30_000, 20);
    const stopping = embedded.stopGateway();
    // Until the listener closes, readiness says draining (and no longer ready).
    const seen: string[] = [];
    await waitUntil(
      async () => {
        const status = await fetch(new URL('/readyz', embedded.gatewayUrl)).then(
          async (r) => `${r.status} ${((await r.json()) as { status: string }).status}`,
          () => 'closed',
        );
        if (seen.at(-1) !== status) seen.push(status);
        return status === 'closed';
      },
      30_000,
      20,
    );
    expect(seen.filter((s) => s !== '200 ready')).toEqual(['503 draining', 'closed']);
    const exitCode = await stopping;
    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    // Finished, not cut short: every enterprise's market data arrived, and no error but the
    // policy's (the public may not see the tax field) came with it.
    for (const [i, r] of responses.entries()) {
      expect(r.body.data!['enterprises'].map((e: { market: { name: unknown } | null }) => typeof e.market?.name)).toEqual(Array(10).fill('string'));
      expect({ i, codes: [...new Set(r.body.errors?.map((e) => e.extensions?.['code']))] }).toEqual({ i, codes: ['FORBIDDEN_FIELD'] });
    }
    expect(exitCode).toBe(0);
  });
});

/** A response with every cursor replaced by a mark, so that answers compare by what they hold. */
function withoutCursors(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCursors);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, (k === 'cursor' || k === 'endCursor') && typeof v === 'string' ? 'a cursor' : withoutCursors(v)]));
  }
  return value;
}
