/**
 * An agency that fails, from the caller's side: down, slow, its database gone, a gateway worker
 * killed. The other agencies' data keeps arriving, the failing one is named, and everything
 * recovers without a restart. This file runs its own federation: PostgreSQL, two gateway workers.
 */
import pg from 'pg';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditCli, withAuditDatabase } from '../support/audit.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { POSTGRES_ADMIN_URL, startFederation, testDatabasePrefix, waitUntil, type Federation } from '../support/federation.js';
import { requestCount, subgraphMetrics } from '../support/graphql.js';
import { universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const shared = inject('federation');
const SIZE = 200;
const COOLDOWN_MS = 1_500;
const codes = universe(shared.seed, SIZE).map((e) => e.uscc);
let federation: Federation;
let headers: Record<string, string>;
// A new connection per request, so that requests reach both workers.
const noKeepAlive = new Agent({ pipelining: 0 });

const PROFILE = 'query($u: USCC!) { enterprise(uscc: $u) { uscc market { name } tax { creditRatings { rating } } social { insuredHeadcount } customs { creditLevel } } }';

async function profile(uscc = codes[3]!, signal?: AbortSignal): Promise<{ status: number; body: Untyped; ms: number }> {
  const started = performance.now();
  const res = await fetch(federation.gatewayUrl, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: PROFILE, variables: { u: uscc } }),
    ...(signal ? { signal } : {}),
    dispatcher: noKeepAlive,
  } as RequestInit);
  return { status: res.status, body: await res.json(), ms: performance.now() - started };
}

function errorOf(body: Untyped, service: string) {
  return (body.errors ?? []).find((e: Untyped) => e.extensions?.service === service);
}

beforeAll(async () => {
  federation = await startFederation({
    backend: 'postgres',
    size: SIZE,
    seed: shared.seed,
    databases: 'faults',
    extraEnv: { MEG_GATEWAY_WORKERS: '2', MEG_SUBGRAPH_TIMEOUT_MS: '800', MEG_BREAKER_FAILURES: '3', MEG_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS) },
  });
  headers = { 'content-type': 'application/json', ...(await headersFor(federation, CALLERS.creditSupervisor)) };
}, 180_000);
afterAll(async () => {
  await federation?.stop();
});

describe('an agency that is down', () => {
  it('yields null for its fields with an error naming it, while the others answer; it comes back by itself', async () => {
    const healthy = await profile();
    expect(healthy.body.errors).toBeUndefined();
    await federation.stopAgency('tax');
    try {
      for (let i = 0; i < 6; i++) {
        const res = await profile();
        expect(res.status).toBe(200);
        expect(res.body.data.enterprise.market.name).toBe(healthy.body.data.enterprise.market.name);
        expect(res.body.data.enterprise.social).toEqual(healthy.body.data.enterprise.social);
        expect(res.body.data.enterprise.customs).toEqual(healthy.body.data.enterprise.customs);
        expect(res.body.data.enterprise.tax).toBeNull();
        const error = errorOf(res.body, 'tax');
        expect(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_CIRCUIT_OPEN']).toContain(error?.extensions?.code);
        expect(error.message).toMatch(/the tax subgraph/);
        expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|undici/);
      }
    } finally {
      await federation.startAgency('tax');
    }
    // Each worker has its own circuit, closed by its own first answer from the agency after its
    // pause: back means ten answers in a row in full (a new connection per request reaches the
    // workers in turn), however long the machine takes to get there.
    await untilInARow(10, async () => (await profile()).body.errors === undefined);
    expect((await profile()).body.data.enterprise.tax).toEqual(healthy.body.data.enterprise.tax);
  });
});

describe('an agency that is slow', () => {
  it('times out, then its circuit opens and it is not asked until the pause ends, then it closes again', async () => {
    await federation.stopAgency('customs');
    await federation.startAgency('customs', { MEG_CUSTOMS_ARTIFICIAL_DELAY_MS: '3000' });
    try {
      const first = await profile();
      expect(first.body.data.enterprise.market.name).toEqual(expect.any(String));
      expect(first.body.data.enterprise.customs).toBeNull();
      expect(errorOf(first.body, 'customs')?.extensions?.code).toBe('SUBGRAPH_TIMEOUT');
      // The gateway answered without the agency, which was still sitting out its delay.
      expect(first.ms).toBeLessThan(3_000);
      // Failures until a worker's circuit is open: it answers at once, without asking the agency
      // (a worker whose pause has just ended lets one probe through instead; then the next is tried).
      let open: Awaited<ReturnType<typeof profile>> | null = null;
      for (let i = 0; i < 40 && !open; i++) {
        const asked = requestCount(await subgraphMetrics(federation.adminUrls.customs), 'customs');
        const res = await profile();
        if (errorOf(res.body, 'customs')?.extensions?.code !== 'SUBGRAPH_CIRCUIT_OPEN') continue;
        expect(requestCount(await subgraphMetrics(federation.adminUrls.customs), 'customs')).toBe(asked);
        open = res;
      }
      expect(open).not.toBeNull();
      expect(open!.body.data.enterprise.tax).not.toBeNull();
    } finally {
      await federation.killAgency('customs');
      await federation.startAgency('customs');
    }
    await untilInARow(10, async () => (await profile()).body.errors === undefined);
  });

  it('cancels the fetches of a request whose caller went away', async () => {
    await federation.stopAgency('social');
    await federation.startAgency('social', { MEG_SOCIAL_ARTIFICIAL_DELAY_MS: '5000' });
    try {
      const abandonedBefore = (await subgraphMetrics(federation.adminUrls.social)).get('meg_subgraph_abandoned_requests_total{agency="social"}') ?? 0;
      const receivedBefore = requestCount(await subgraphMetrics(federation.adminUrls.social), 'social');
      const controller = new AbortController();
      const pending = profile(codes[5], controller.signal).catch((e: Error) => e);
      // The caller goes away once the agency has the fetch and sits out its delay.
      await waitUntil(async () => requestCount(await subgraphMetrics(federation.adminUrls.social), 'social') > receivedBefore, 30_000, 20);
      controller.abort();
      expect(await pending).toBeInstanceOf(Error);
      await waitUntil(async () => ((await subgraphMetrics(federation.adminUrls.social)).get('meg_subgraph_abandoned_requests_total{agency="social"}') ?? 0) > abandonedBefore, 30_000, 100);
    } finally {
      await federation.killAgency('social');
      await federation.startAgency('social');
    }
  });
});

describe('an agency whose database is stopped', () => {
  it('is named in the error, shows nothing of the database, and recovers when the database is back', async () => {
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${testDatabasePrefix('faults')}_social WITH ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [`${testDatabasePrefix('faults')}_social`]);
      const res = await profile(codes[6]);
      expect(res.status).toBe(200);
      expect(res.body.data.enterprise.market.name).toEqual(expect.any(String));
      expect(res.body.data.enterprise.social).toBeNull();
      const error = errorOf(res.body, 'social');
      expect(error?.extensions?.code).toBe('AGENCY_DATA_UNAVAILABLE');
      expect(JSON.stringify(res.body)).not.toMatch(new RegExp(`${testDatabasePrefix('faults')}|connection|terminat|postgres`, 'i'));
    } finally {
      await admin.query(`ALTER DATABASE ${testDatabasePrefix('faults')}_social WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await untilInARow(10, async () => (await profile(codes[6])).body.errors === undefined);
  });
});

describe('a gateway worker killed under load', () => {
  it('leaves the other serving, is replaced, and no answered request lacks its record', async () => {
    const [victim] = federation.gatewayWorkerPids();
    expect(victim).toBeDefined();
    const answered: string[] = [];
    let failed = 0;
    let stop = false;
    const load = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await fetch(federation.gatewayUrl, {
            method: 'POST',
            headers,
            body: JSON.stringify({ query: PROFILE, variables: { u: codes[(w * 31 + i) % codes.length] } }),
            dispatcher: noKeepAlive,
            // A connection handed to the worker as it died is never answered: the client gives up.
            signal: AbortSignal.timeout(5_000),
          } as RequestInit);
          const body = await res.json();
          if (res.status === 200 && !body.errors) answered.push(res.headers.get('x-request-id')!);
          else failed++;
        } catch {
          failed++; // cut off with the worker: never answered
        }
      }
    };
    const chains = () => withAuditDatabase(federation, async (c) => Number((await c.query('SELECT count(DISTINCT chain_id) AS n FROM audit_records')).rows[0].n));
    const clients = Array.from({ length: 8 }, (_, w) => load(w));
    while (answered.length < 100) await new Promise((r) => setTimeout(r, 20));
    const chainsAtKill = await chains();
    process.kill(victim!, 'SIGKILL');
    const atKill = answered.length;
    // Served meanwhile by the other worker, then by both again: the replacement writes a chain of
    // its own once it answers (its process appears before it listens, so wait for its records).
    await waitUntil(async () => federation.gatewayWorkerPids().length === 2 && !federation.gatewayWorkerPids().includes(victim!), 30_000, 100);
    await waitUntil(async () => (await chains()) > chainsAtKill, 30_000, 100);
    await waitUntil(async () => answered.length > atKill + 200, 30_000, 50);
    stop = true;
    await Promise.all(clients);
    expect(failed).toBeLessThan(answered.length / 10);

    const recorded = await withAuditDatabase(federation, async (c) => new Set((await c.query('SELECT request_id FROM audit_records')).rows.map((r) => r.request_id as string)));
    expect(answered.filter((id) => !recorded.has(id))).toEqual([]);
    const verify = auditCli(federation, 'verify').stdout;
    expect(verify).toMatch(/^intact: \d+ chains, \d+ records; \d+ of \d+ chain heads found where anchored\n$/);
    expect(Number(verify.match(/(\d+) chains/)![1])).toBeGreaterThanOrEqual(3);
  });
});

/** Waits until `check` holds `n` times in a row (60 s at most): the state of every worker, not of one. */
async function untilInARow(n: number, check: () => Promise<boolean>): Promise<void> {
  let streak = 0;
  await waitUntil(
    async () => {
      streak = (await check()) ? streak + 1 : 0;
      return streak >= n;
    },
    60_000,
    20,
  );
}
