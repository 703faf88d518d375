/**
 * The embedded default (PGlite) answers like PostgreSQL, and the gateway's process behaviour:
 * the explorer, readiness and graceful shutdown. This file runs its own small federation.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { startFederation, type Federation } from '../support/federation.js';
import { universe } from '../support/universe.js';

const shared = inject('federation');
const SIZE = 150;
const codes = universe(shared.seed, SIZE).map((e) => e.uscc);

const PROFILE = /* GraphQL */ `
  query Profiles($codes: [USCC!]!) {
    enterprises(uscc: $codes) {
      uscc
      market { name entityType status establishedOn registeredCapital address legalRepresentative { name idNumber phone }
               licences { licenceNo grantedOn validUntil } penalties { decisionNo amount publishedOn }
               abnormalOperations { reason listedOn removedOn } seriousViolations { decisionNo } annualReports { year totalAssets } }
      tax { taxpayerType creditRatings { year rating evaluatedOn } arrears { taxType amount since } filings { period revenue taxPaid } }
      social { employerNo insuredHeadcount headcountHistory { month insured } employees(first: 3) { totalCount edges { node { name idNumber } } } }
      customs { customsCode creditLevel declarations(first: 5) { totalCount edges { cursor node { entryNo value port } } } violations { decisionNo } }
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
    expect(onPglite.body).toEqual(onPostgres.body);
    // Timings of the agencies are not told to callers unless MEG_SERVER_TIMING is on.
    expect(onPostgres.headers.get('server-timing')).toBeNull();
    // The agencies' own logs say who asked and for what: the context the gateway signed.
    const requestId = onPglite.headers.get('x-request-id');
    const taxLog = embedded.logs('tax').split('\n').filter((l) => l.includes(`"requestId":"${requestId}"`)).map((l) => JSON.parse(l));
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

  it('is ready only while every subgraph answers, and then serves the others', async () => {
    const health = await fetch(new URL('/healthz', embedded.gatewayUrl));
    expect(health.status).toBe(200);
    expect((await fetch(new URL('/readyz', embedded.gatewayUrl))).status).toBe(200);

    await embedded.stopAgency('customs');
    const readiness = await fetch(new URL('/readyz', embedded.gatewayUrl));
    expect(readiness.status).toBe(503);
    const report = (await readiness.json()) as { subgraphs: Record<string, { ready: boolean }> };
    expect(report.subgraphs['customs']?.ready).toBe(false);
    expect(report.subgraphs['market']?.ready).toBe(true);

    const { body } = await graphql(embedded.gatewayUrl, 'query($c: [USCC!]!) { enterprises(uscc: $c) { uscc market { name } customs { creditLevel } } }', {
      c: codes.slice(0, 3),
    });
    // The customs fields are null with an error naming the agency; the others still arrive.
    expect(body.data!['enterprises'].map((e: { market: { name: string } }) => e.market.name)).toHaveLength(3);
    expect(body.errors?.length).toBeGreaterThan(0);
  });

  it('finishes the requests under way when told to stop, then exits cleanly', async () => {
    const inFlight = Array.from({ length: 5 }, (_, i) =>
      graphql(embedded.gatewayUrl, 'query($c: [USCC!]!) { enterprises(uscc: $c) { uscc market { name } tax { taxpayerType } } }', {
        c: codes.slice(i * 10, i * 10 + 10),
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    const exitCode = await embedded.stopGateway();
    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.every((r) => r.body.data!['enterprises'].length === 10)).toBe(true);
    expect(exitCode).toBe(0);
  });
});
