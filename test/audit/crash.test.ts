/**
 * Nothing lost: the gateway is killed outright under load; every request that was answered has
 * its record, and every chain still verifies. This file runs its own federation on PostgreSQL.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { auditCli, withAuditDatabase } from '../support/audit.js';
import { CALLERS, headersFor } from '../support/callers.js';
import pg from 'pg';
import { POSTGRES_ADMIN_URL, startFederation, testDatabasePrefix, waitUntil, type Federation } from '../support/federation.js';
import { findingsOf, metadataFor, review, reviewBatch, reviewClient, verdictOf } from '../support/grpc.js';
import { universe } from '../support/universe.js';

const shared = inject('federation');
const SIZE = 300;
let federation: Federation;

beforeAll(async () => {
  federation = await startFederation({ backend: 'postgres', size: SIZE, seed: shared.seed, databases: 'crash' });
});
afterAll(async () => {
  await federation?.stop();
});

describe('an access log that cannot be written', () => {
  it('fails the request instead of answering it unrecorded, and recovers by itself', async () => {
    const query = { query: '{ searchEnterprises(first: 1) { edges { node { uscc } } } }' };
    const post = () => fetch(federation.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(query) });
    // The store refuses every new record (a constraint no row can meet, as a full disk or a revoked grant would).
    await withAuditDatabase(federation, (c) => c.query('ALTER TABLE audit_records ADD CONSTRAINT refuse_all CHECK (false) NOT VALID'));
    try {
      const refused = await post();
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toEqual({
        errors: [{ message: 'the access could not be recorded, so it is not answered; try again later', extensions: { code: 'AUDIT_UNAVAILABLE' } }],
      });
    } finally {
      await withAuditDatabase(federation, (c) => c.query('ALTER TABLE audit_records DROP CONSTRAINT refuse_all'));
    }
    const answered = await post();
    expect(answered.status).toBe(200);
    expect(auditCli(federation, 'verify').stdout).toMatch(/^intact: /);
  });

  it('gives a joint review no verdict while the log refuses it: UNAVAILABLE over gRPC, findings streamed before', async () => {
    const uscc = universe(shared.seed, 1)[0]!.uscc;
    const client = reviewClient(federation.grpcAddress);
    try {
      const metadata = await metadataFor(federation, CALLERS.procurement);
      await withAuditDatabase(federation, (c) => c.query('ALTER TABLE audit_records ADD CONSTRAINT refuse_all CHECK (false) NOT VALID'));
      try {
        // The stream: each agency's finding goes out as it arrives; the verdict waits for the record, which fails.
        const streamed = await review(client, { uscc, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, metadata);
        expect(streamed.status).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'the review could not be recorded, so its verdict is not given; try again later' });
        expect(streamed.events.map((e) => e.event)).toEqual(['finding', 'finding', 'finding', 'finding']);
        expect(
          findingsOf(streamed)
            .map((f) => f.agency)
            .sort(),
        ).toEqual(['AGENCY_CUSTOMS', 'AGENCY_MARKET', 'AGENCY_SOCIAL', 'AGENCY_TAX']);
        // The batch answers all at once: nothing of it.
        const batch = await reviewBatch(client, { uscc: [uscc], matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, metadata);
        expect(batch.verdicts).toBeUndefined();
        expect(batch.error).toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'the review could not be recorded, so its verdicts are not given; try again later' });
      } finally {
        await withAuditDatabase(federation, (c) => c.query('ALTER TABLE audit_records DROP CONSTRAINT refuse_all'));
      }
      // Once the log takes records again, so does the review, verdict and all.
      const answered = await review(client, { uscc, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, metadata);
      expect(answered.status.code).toBe(grpc.status.OK);
      expect(answered.events.map((e) => e.event)).toEqual(['finding', 'finding', 'finding', 'finding', 'verdict']);
      expect(verdictOf(answered).outcome).toMatch(/^OUTCOME_(PASS|RESTRICT|PROHIBIT|PRIORITY)$/);
      expect(auditCli(federation, 'verify').stdout).toMatch(/^intact: /);
    } finally {
      client.close();
    }
  });
});

describe('readiness and the access log', () => {
  it('is not ready while the access log cannot be written, and ready again by itself when it can', async () => {
    const readyz = async () => {
      const res = await fetch(new URL('/readyz', federation.gatewayUrl));
      return { status: res.status, body: (await res.json()) as { status: string; audit: { writable: boolean; detail: string } } };
    };
    expect((await readyz()).status).toBe(200);
    const url = new URL(federation.env['DATABASE_URL_AUDIT']!);
    const name = url.pathname.slice(1);
    // The audit database goes away: its sessions are ended and it is renamed out of reach.
    await withAdmin(async (admin) => {
      await waitUntil(
        async () => {
          await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
          return admin.query(`ALTER DATABASE ${name} RENAME TO ${name}_gone`).then(
            () => true,
            () => false,
          );
        },
        30_000,
        50,
      );
    });
    try {
      let report: Awaited<ReturnType<typeof readyz>> | undefined;
      await waitUntil(async () => (report = await readyz()).status === 503, 30_000, 100);
      expect(report!.body).toMatchObject({ status: 'not ready', audit: { writable: false, detail: 'the access log cannot be written' } });
      expect(JSON.stringify(report!.body)).not.toMatch(new RegExp(`database|${testDatabasePrefix('crash')}|5432|127\\.0\\.0\\.1`));
      // What the readiness says is what a caller gets.
      const refused = await fetch(federation.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
      expect(refused.status).toBe(503);
    } finally {
      await withAdmin(async (admin) => {
        await waitUntil(
          async () => {
            await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [`${name}_gone`]);
            return admin.query(`ALTER DATABASE ${name}_gone RENAME TO ${name}`).then(
              () => true,
              () => false,
            );
          },
          30_000,
          50,
        );
      });
    }
    await waitUntil(async () => (await readyz()).status === 200, 30_000, 100);
  });
});

describe('a crash under load', () => {
  it('loses no record of an answered request and leaves every chain intact', async () => {
    const codes = universe(shared.seed, SIZE).map((e) => e.uscc);
    const headers = { 'content-type': 'application/json', ...(await headersFor(federation, CALLERS.creditSupervisor)) };
    const answered: string[] = [];
    let failed = 0;
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop && i < 10_000; i++) {
        const uscc = codes[(w * 37 + i) % codes.length]!;
        try {
          const res = await fetch(federation.gatewayUrl, {
            method: 'POST',
            headers,
            body: JSON.stringify({ query: 'query($u: USCC!) { enterprise(uscc: $u) { market { name } tax { creditRatings { rating } } customs { creditLevel } } }', variables: { u: uscc } }),
          });
          await res.text();
          if (res.status === 200) answered.push(res.headers.get('x-request-id')!);
        } catch {
          failed += 1; // the gateway is gone: these were never answered
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));
    // Let the load build up, then pull the plug.
    while (answered.length < 300) await new Promise((r) => setTimeout(r, 20));
    await federation.killGateway();
    stop = true;
    await Promise.all(workers);

    expect(answered.length).toBeGreaterThanOrEqual(300);
    const recorded = await withAuditDatabase(federation, async (c) => new Set((await c.query('SELECT request_id FROM audit_records')).rows.map((r) => r.request_id as string)));
    expect(answered.filter((id) => !recorded.has(id))).toEqual([]);
    const verify = auditCli(federation, 'verify');
    expect(verify.stdout).toMatch(/^intact: 1 chain, \d+ records; 1 of 1 chain heads found where anchored\n$/);
    expect(failed).toBeGreaterThan(0);
  });
});

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
