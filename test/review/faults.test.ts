/**
 * The joint review when agencies are slow, stopped or abandoned. This file runs its own
 * federation in which every agency answers two seconds late (a test-only setting), and the gateway
 * gives up on unanswered agencies 300 ms before a call's deadline: room to record and answer on a
 * machine busy with other work. Nothing here waits on the clock but those configured delays:
 * each step waits for what it depends on (a request received, a handler ended).
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS } from '../support/callers.js';
import { startFederation, waitUntil, type Federation } from '../support/federation.js';
import { graphql, statementCount, subgraphMetrics } from '../support/graphql.js';
import { findingOf, findingsOf, metadataFor, review, reviewClient, verdictOf } from '../support/grpc.js';
import { universe } from '../support/universe.js';

const shared = inject('federation');
const DELAY_MS = 2_000;
const MARGIN_MS = 300;
const SIZE = 200;
const AGENCIES = ['market', 'tax', 'social', 'customs'] as const;

/** A counter of every agency's /metrics. */
async function perAgency(series: (agency: string) => string): Promise<number[]> {
  return Promise.all(AGENCIES.map(async (a) => (await subgraphMetrics(federation.adminUrls[a])).get(series(a)) ?? 0));
}
const received = () => perAgency((a) => `meg_subgraph_graphql_requests_total{agency="${a}"}`);
const abandoned = () => perAgency((a) => `meg_subgraph_abandoned_requests_total{agency="${a}"}`);
const inFlight = () => perAgency((a) => `meg_subgraph_requests_in_flight{agency="${a}"}`);

let federation: Federation;
let client: ReturnType<typeof reviewClient>;
let clean: string;

beforeAll(async () => {
  federation = await startFederation({
    backend: 'pglite',
    size: SIZE,
    seed: shared.seed,
    extraEnv: { MEG_ARTIFICIAL_DELAY_MS: String(DELAY_MS), MEG_REVIEW_DEADLINE_MARGIN_MS: String(MARGIN_MS) },
  });
  client = reviewClient(federation.grpcAddress);
  // An enterprise whose review passes when every agency answers.
  const codes = universe(shared.seed, SIZE).map((e) => e.uscc);
  const { body } = await graphql(
    federation.gatewayUrl,
    'query($c: [USCC!]!) { jointReviewBatch(uscc: $c, matter: BIDDING) { uscc outcome } }',
    { c: codes },
    await (await import('../support/callers.js')).headersFor(federation, CALLERS.procurement),
  );
  clean = body.data!['jointReviewBatch'].find((v: { outcome: string }) => v.outcome === 'PASS').uscc;
});
afterAll(async () => {
  client?.close();
  await federation?.stop();
});

describe('faults', () => {
  it('asks the agencies in parallel: a review takes about the slowest delay, not the sum', async () => {
    const result = await review(client, { uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), 10_000);
    expect(verdictOf(result).outcome).toBe('OUTCOME_PASS');
    // Four agencies two seconds late each: in series that would be eight seconds.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(DELAY_MS);
    expect(result.elapsedMs).toBeLessThan(2 * DELAY_MS);
  });

  it('counts agencies that miss the deadline as unavailable, and the verdict as incomplete', async () => {
    // The deadline falls before any agency can answer, and leaves the gateway its margin to say so.
    const result = await review(client, { uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), DELAY_MS / 2);
    expect(result.status).toMatchObject({ code: grpc.status.OK });
    const findings = findingsOf(result);
    expect(findings.map((f) => [f.agency, f.status]).sort()).toEqual([
      ['AGENCY_CUSTOMS', 'FINDING_STATUS_UNAVAILABLE'],
      ['AGENCY_MARKET', 'FINDING_STATUS_UNAVAILABLE'],
      ['AGENCY_SOCIAL', 'FINDING_STATUS_UNAVAILABLE'],
      ['AGENCY_TAX', 'FINDING_STATUS_UNAVAILABLE'],
    ]);
    expect(findings[0]?.detail).toMatch(/did not answer before the deadline$/);
    expect(verdictOf(result)).toMatchObject({ outcome: 'OUTCOME_INCOMPLETE' });
    expect([...verdictOf(result).unavailable].sort()).toEqual(['AGENCY_CUSTOMS', 'AGENCY_MARKET', 'AGENCY_SOCIAL', 'AGENCY_TAX']);
  });

  it('ends with DEADLINE_EXCEEDED when the deadline leaves no time to answer at all', async () => {
    const result = await review(client, { uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), 1);
    expect(result.status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });

  it('cancels the agency fetches when the caller cancels the call', async () => {
    // Requests the previous tests gave up on are still sitting out their delay: wait until every
    // agency has ended the handling of each.
    await waitUntil(async () => (await inFlight()).every((n) => n === 0), 10 * DELAY_MS, 50);
    const [receivedBefore, abandonedBefore] = [await received(), await abandoned()];
    const taxStatements = statementCount(await subgraphMetrics(federation.adminUrls.tax), 'tax', 'tax_taxpayers');
    const call = client.Review({ uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), { deadline: Date.now() + 60_000 });
    call.on('error', () => {});
    // Cancelled once every agency has the fetch and sits out its delay.
    await waitUntil(async () => (await received()).every((n, i) => n === receivedBefore[i]! + 1), 10 * DELAY_MS, 20);
    call.cancel();
    // The agencies see the gateway give up, and do no work for it: each handling ends abandoned.
    await waitUntil(async () => (await inFlight()).every((n) => n === 0), 10 * DELAY_MS, 50);
    expect(await abandoned()).toEqual(abandonedBefore.map((n) => n + 1));
    expect(statementCount(await subgraphMetrics(federation.adminUrls.tax), 'tax', 'tax_taxpayers')).toBe(taxStatements);
  });

  it('reports an agency stopped mid-way as unavailable and never passes', async () => {
    await federation.stopAgency('customs');
    const result = await review(client, { uscc: clean, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement), 10_000);
    const customs = findingOf(result, 'AGENCY_CUSTOMS');
    expect(customs).toMatchObject({ status: 'FINDING_STATUS_UNAVAILABLE', detail: expect.stringMatching(/^customs did not answer/) });
    expect(result.events.filter((e) => e.finding?.status === 'FINDING_STATUS_ANSWERED')).toHaveLength(3);
    expect(verdictOf(result)).toMatchObject({ outcome: 'OUTCOME_INCOMPLETE', unavailable: ['AGENCY_CUSTOMS'] });
  });
});
