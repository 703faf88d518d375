/**
 * The request deadline, the joint review's stream and the end of the gRPC service, on a small
 * federation of their own whose tax agency answers two seconds late: a request out of time
 * answers with what arrived and names the agency it gave up on; a review streams the other
 * agencies' findings while the tax agency still waits; a gateway told to stop tells health
 * watchers NOT_SERVING before it goes.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { startFederation, type Federation } from '../support/federation.js';
import { graphql } from '../support/graphql.js';
import { metadataFor, review, reviewClient } from '../support/grpc.js';
import { universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const shared = inject('federation');
/** How late the tax agency answers every request. */
const TAX_DELAY_MS = 2_000;
let federation: Federation;

beforeAll(async () => {
  federation = await startFederation({
    backend: 'pglite',
    size: 20,
    seed: shared.seed,
    extraEnv: { MEG_REQUEST_TIMEOUT_MS: '500', MEG_SUBGRAPH_TIMEOUT_MS: '5000', MEG_TAX_ARTIFICIAL_DELAY_MS: String(TAX_DELAY_MS) },
  });
}, 120_000);
afterAll(async () => {
  await federation?.stop();
});

describe('the request deadline', () => {
  it('answers with what arrived in time and names the agency it stopped waiting for', async () => {
    const uscc = universe(shared.seed, 1)[0]!.uscc;
    const started = performance.now();
    const res = await graphql(
      federation.gatewayUrl,
      'query($u: USCC!) { enterprise(uscc: $u) { market { name } tax { taxpayerType } } }',
      { u: uscc },
      await headersFor(federation, CALLERS.taxOfficer),
    );
    // Answered without the tax agency, which was still sitting out its 2 s delay.
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(res.status).toBe(200);
    expect(res.body.data?.['enterprise'].market.name).toEqual(expect.any(String));
    expect(res.body.data?.['enterprise'].tax).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'REQUEST_TIMEOUT', service: 'tax' });
  });
});

describe('the joint review stream', () => {
  it("sends each agency's finding as soon as it answers: the others' while the tax agency still waits", async () => {
    const uscc = universe(shared.seed, 1)[0]!.uscc;
    const client = reviewClient(federation.grpcAddress);
    try {
      const result = await review(client, { uscc, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, await metadataFor(federation, CALLERS.procurement), 10_000);
      expect(result.status.code).toBe(grpc.status.OK);
      const sent = result.events.map((e) => (e.finding ? `${e.finding.agency} ${e.finding.status}` : e.verdict ? 'verdict' : 'other'));
      expect(sent.slice(0, 3).sort()).toEqual(['AGENCY_CUSTOMS FINDING_STATUS_ANSWERED', 'AGENCY_MARKET FINDING_STATUS_ANSWERED', 'AGENCY_SOCIAL FINDING_STATUS_ANSWERED']);
      expect(sent.slice(3)).toEqual(['AGENCY_TAX FINDING_STATUS_ANSWERED', 'verdict']);
      const [othersLast, tax] = [result.arrivedMs[2]!, result.arrivedMs[3]!];
      // The tax agency got its request after the call began and sat out its delay from then: its
      // finding cannot arrive sooner than the delay after the start.
      expect(tax).toBeGreaterThanOrEqual(TAX_DELAY_MS);
      // The other three arrived before the tax agency could have answered at all: they were not
      // held back for it (held back, they would have come after the delay, with the tax finding).
      expect(othersLast).toBeLessThan(TAX_DELAY_MS);
    } finally {
      client.close();
    }
  });
});

describe('gRPC health on shutdown', () => {
  it('turns NOT_SERVING for watchers as soon as the gateway is told to stop', async () => {
    const definition = protoLoader.loadSync(path.join(projectRoot, 'node_modules/grpc-health-check/proto/health/v1/health.proto'), { enums: String });
    const Health = (grpc.loadPackageDefinition(definition) as Untyped).grpc.health.v1.Health;
    const client = new Health(federation.grpcAddress, grpc.credentials.createInsecure());
    const statuses: string[] = [];
    const call = client.Watch({ service: 'meg.review.v1.JointReviewService' });
    call.on('data', (r: { status: string }) => statuses.push(r.status));
    call.on('error', () => {});
    try {
      const deadline = Date.now() + 5_000;
      while (!statuses.includes('SERVING') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(statuses).toEqual(['SERVING']);
      const stopped = federation.stopGateway();
      while (!statuses.includes('NOT_SERVING') && Date.now() < deadline + 5_000) await new Promise((r) => setTimeout(r, 20));
      expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
      await stopped;
    } finally {
      call.cancel();
      client.close();
    }
  }, 30_000);
});
