/**
 * Rate limits per principal, from outside: a gateway of two workers sharing its buckets through
 * Redis (127.0.0.1:6379), so that one limit holds whichever worker a request reaches.
 */
import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../gateway/auth/tokens.js';
import { withAuditDatabase } from '../support/audit.js';
import { CALLERS } from '../support/callers.js';
import { issuerKeyFile, startFederation, type Federation } from '../support/federation.js';
import { metadataFor, review, reviewClient } from '../support/grpc.js';
import { universe } from '../support/universe.js';

const shared = inject('federation');
let federation: Federation;
const noKeepAlive = new Agent({ pipelining: 0 });
const BURST = 6;

beforeAll(async () => {
  federation = await startFederation({
    backend: 'postgres',
    size: 50,
    seed: shared.seed,
    databases: 'ratelimit',
    extraEnv: {
      MEG_GATEWAY_WORKERS: '2',
      MEG_RATE_LIMIT_REDIS_URL: process.env['MEG_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      MEG_RATE_LIMIT_PER_SECOND: '1',
      MEG_RATE_LIMIT_BURST: String(BURST),
      MEG_PUBLIC_RATE_LIMIT_PER_SECOND: '1',
      MEG_PUBLIC_RATE_LIMIT_BURST: String(BURST),
      MEG_REFUSAL_RATE_LIMIT_PER_SECOND: '1',
      MEG_REFUSAL_RATE_LIMIT_BURST: String(BURST),
    },
  });
}, 180_000);
afterAll(async () => {
  await federation?.stop();
});

async function as(sub: string): Promise<Record<string, string>> {
  const claims = { ...CALLERS.creditSupervisor.claims, sub };
  const token = await mintToken(claims, { issuerKeyFile: issuerKeyFile(federation), ttlSeconds: 600 });
  return { authorization: `Bearer ${token}`, 'x-purpose': 'CREDIT_SUPERVISION' };
}

async function ask(headers: Record<string, string>) {
  const res = await fetch(federation.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: '{ searchEnterprises(first: 1) { edges { node { uscc } } } }' }),
    dispatcher: noKeepAlive,
  } as RequestInit);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

describe('rate limits per principal', () => {
  it('answers a burst, then 429 with Retry-After, one limit across both workers', async () => {
    const headers = await as(`rate-${randomUUID()}`);
    const results = [];
    const started = performance.now();
    for (let i = 0; i < BURST + 4; i++) results.push(await ask(headers));
    const seconds = (performance.now() - started) / 1000;
    // Allowed: the burst, plus what refilled (one a second) while the requests were made, as
    // long as they took on this machine today.
    const allowed = results.filter((r) => r.status === 200).length;
    expect(allowed).toBeGreaterThanOrEqual(BURST);
    expect(allowed).toBeLessThanOrEqual(BURST + Math.ceil(seconds));
    expect(allowed).toBeLessThan(BURST + 4);
    const refused = results.find((r) => r.status === 429)!;
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(refused.body.errors[0].message).toMatch(/too many requests from rate-/);
    // Another principal is not held back by this one.
    expect((await ask(await as(`rate-${randomUUID()}`))).status).toBe(200);
  });

  it('limits the public by address', async () => {
    const statuses = [];
    const started = performance.now();
    // Until the limiter refuses twice: the bucket refills at one a second, however slow the machine.
    while (statuses.filter((s) => s === 429).length < 2 && statuses.length < 100) statuses.push((await ask({})).status);
    const seconds = (performance.now() - started) / 1000;
    expect(statuses.slice(0, BURST)).toEqual(Array(BURST).fill(200));
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(BURST + Math.ceil(seconds));
  });

  it('limits refusals by address too, and records only those it answered with a refusal', async () => {
    const results: { status: number; requestId: string | null }[] = [];
    // Until two refusals by the limiter: the bucket refills at one a second, however slow the machine.
    while (results.filter((r) => r.status === 429).length < 2 && results.length < 100) {
      const res = await fetch(federation.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not.a.token' },
        body: JSON.stringify({ query: '{ __typename }' }),
        dispatcher: noKeepAlive,
      } as RequestInit);
      await res.text();
      results.push({ status: res.status, requestId: res.headers.get('x-request-id') });
    }
    const statuses = results.map((r) => r.status);
    expect(statuses.slice(0, BURST)).toEqual(Array(BURST).fill(401));
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    const recorded = await withAuditDatabase(federation, async (c) =>
      (await c.query('SELECT request_id FROM audit_records WHERE request_id = ANY($1)', [results.map((r) => r.requestId)])).rows.map((r) => r.request_id as string),
    );
    expect(recorded.sort()).toEqual(
      results
        .filter((r) => r.status === 401)
        .map((r) => r.requestId)
        .sort(),
    );
  });

  it('limits joint reviews over gRPC too, with RESOURCE_EXHAUSTED', async () => {
    const client = reviewClient(federation.grpcAddress);
    try {
      const caller = { ...CALLERS.procurement, claims: { ...CALLERS.procurement.claims, sub: `rate-${randomUUID()}` } };
      const metadata = await metadataFor(federation, caller);
      const uscc = universe(shared.seed, 1)[0]!.uscc;
      const codes: number[] = [];
      // Until the limiter refuses: the bucket refills at one a second, however slow the machine.
      const started = performance.now();
      while (!codes.includes(8) && codes.length < 100) codes.push((await review(client, { uscc, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, metadata)).status.code);
      const seconds = (performance.now() - started) / 1000;
      expect(codes.slice(0, BURST)).toEqual(Array(BURST).fill(0));
      expect(codes.at(-1)).toBe(8); // RESOURCE_EXHAUSTED
      // No more got through than the burst and what refilled while the calls were made.
      expect(codes.filter((c) => c === 0).length).toBeLessThanOrEqual(BURST + Math.ceil(seconds));
    } finally {
      client.close();
    }
  });
});
