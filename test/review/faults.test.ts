/**
 * The joint review when agencies are slow, stopped or abandoned. This file runs its own
 * federation in which every agency answers one second late (a test-only setting).
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS } from '../support/callers.js';
import { startFederation, waitUntil, type Federation } from '../support/federation.js';
import { graphql, statementCount, subgraphMetrics } from '../support/graphql.js';
import { metadataFor, review, reviewClient } from '../support/grpc.js';
import { universe } from '../support/universe.js';

const shared = inject('federation');
const DELAY_MS = 1_000;
const SIZE = 200;

let federation: Federation;
let client: ReturnType<typeof reviewClient>;
let clean: string;

beforeAll(async () => {
  federation = await startFederation({ backend: 'pglite', size: SIZE, seed: shared.seed, extraEnv: { MEG_ARTIFICIAL_DELAY_MS: String(DELAY_MS) } });
  client = reviewClient(federation.grpcAddress);
  // An enterprise whose review passes when every agency answers.
  const codes = universe(shared.seed, SIZE).map((e) => e.uscc);
  const { body } = await graphql(federation.gatewayUrl, 'query($c: [USCC!]!) { jointReviewBatch(uscc: $c, matter: BIDDING) { uscc outcome } }', { c: codes }, await (await import('../support/callers.js')).headersFor(federation, CALLERS.procurement));
  clean = body.data!['jointReviewBatch'].find((v: { outcome: string }) => v.outcome === 'PASS').uscc;
});
afterAll(async () => {
  client?.close();
  await federation?.stop();
});

describe('faults', () => {
  it('asks the agencies in parallel: a review takes about the slowest delay, not the sum', async () => {
    const result = await review(client, { uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), 10_000);
    expect(result.events.at(-1).verdict.outcome).toBe('OUTCOME_PASS');
    // Four agencies one second late each: in series that would be four seconds.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(DELAY_MS);
    expect(result.elapsedMs).toBeLessThan(2.5 * DELAY_MS);
  });

  it('counts agencies that miss the deadline as unavailable, and the verdict as incomplete', async () => {
    const result = await review(client, { uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), DELAY_MS / 2);
    expect(result.status.code).toBe(grpc.status.OK);
    const findings = result.events.filter((e) => e.finding).map((e) => e.finding);
    expect(findings.map((f) => [f.agency, f.status]).sort()).toEqual([
      ['AGENCY_CUSTOMS', 'FINDING_STATUS_UNAVAILABLE'],
      ['AGENCY_MARKET', 'FINDING_STATUS_UNAVAILABLE'],
      ['AGENCY_SOCIAL', 'FINDING_STATUS_UNAVAILABLE'],
      ['AGENCY_TAX', 'FINDING_STATUS_UNAVAILABLE'],
    ]);
    expect(findings[0].detail).toMatch(/did not answer before the deadline$/);
    expect(result.events.at(-1).verdict).toMatchObject({ outcome: 'OUTCOME_INCOMPLETE', unavailable: expect.arrayContaining(['AGENCY_TAX']) });
  });

  it('ends with DEADLINE_EXCEEDED when the deadline leaves no time to answer at all', async () => {
    const result = await review(client, { uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), 1);
    expect(result.status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it('cancels the agency fetches when the caller cancels the call', async () => {
    // Requests the previous tests gave up on are still sitting out their delay: let them settle.
    await new Promise((r) => setTimeout(r, DELAY_MS + 300));
    const before = await Promise.all(['market', 'tax'].map(async (a) => (await subgraphMetrics(federation.subgraphUrls[a as 'tax'])).get(`meg_subgraph_abandoned_requests_total{agency="${a}"}`) ?? 0));
    const taxStatements = statementCount(await subgraphMetrics(federation.subgraphUrls.tax), 'tax', 'tax_taxpayers');
    const call = client.Review({ uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), { deadline: Date.now() + 10_000 });
    call.on('error', () => {});
    await new Promise((r) => setTimeout(r, DELAY_MS / 4));
    call.cancel();
    // The agencies see the gateway give up, and do no work for it.
    await waitUntil(async () => {
      const now = await Promise.all(['market', 'tax'].map(async (a) => (await subgraphMetrics(federation.subgraphUrls[a as 'tax'])).get(`meg_subgraph_abandoned_requests_total{agency="${a}"}`) ?? 0));
      return now.every((n, i) => n === before[i]! + 1);
    }, 5 * DELAY_MS);
    await new Promise((r) => setTimeout(r, 300));
    const settled = await Promise.all(['market', 'tax'].map(async (a) => (await subgraphMetrics(federation.subgraphUrls[a as 'tax'])).get(`meg_subgraph_abandoned_requests_total{agency="${a}"}`) ?? 0));
    expect(settled).toEqual(before.map((n) => n + 1));
    expect(statementCount(await subgraphMetrics(federation.subgraphUrls.tax), 'tax', 'tax_taxpayers')).toBe(taxStatements);
  });

  it('reports an agency stopped mid-way as unavailable and never passes', async () => {
    await federation.stopAgency('customs');
    const result = await review(client, { uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), 10_000);
    const customs = result.events.find((e) => e.finding?.agency === 'AGENCY_CUSTOMS').finding;
    expect(customs).toMatchObject({ status: 'FINDING_STATUS_UNAVAILABLE', detail: expect.stringMatching(/^customs did not answer/) });
    expect(result.events.filter((e) => e.finding?.status === 'FINDING_STATUS_ANSWERED')).toHaveLength(3);
    expect(result.events.at(-1).verdict).toMatchObject({ outcome: 'OUTCOME_INCOMPLETE', unavailable: ['AGENCY_CUSTOMS'] });
  });
});
