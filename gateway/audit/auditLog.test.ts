/**
 * The access log on an embedded database: a record committed alone and records committed together
 * (group commit) are stored the same way, found by the same searches, and verify as one chain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from './auditLog.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-audit-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (i: number, uscc: string): AuditEntry => ({
  at: new Date(Date.UTC(2026, 10, 27, 9, 0, i)).toISOString(),
  requestId: `req-${i}`,
  channel: 'graphql',
  principal: { sub: `officer-${i}`, agency: 'TAX', roles: ['officer'], region: null },
  purpose: 'TAX_ADMINISTRATION',
  operationName: 'Profile',
  operationHash: null,
  enterprises: [uscc],
  decisions: [
    { coordinate: 'TaxProfile.arrears', effect: 'ALLOW', rule: 'own_agency' },
    { coordinate: 'MarketProfile.legalRepresentative', effect: i % 2 ? 'MASK' : 'DENY', rule: 'personal_data' },
  ],
  policyRevision: 'test',
  outcome: 'ok',
});

describe('the access log', () => {
  it('stores records committed alone and together alike, and they verify as one chain', async () => {
    const log = await AuditLog.open({ dataDir: path.join(dir, 'db') }, 'chain-test');
    try {
      const alone = await log.append(entry(0, '91110000000000000A'));
      // Appended in one turn: committed together.
      const together = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(entry(i + 1, `9111000000000000${String(i).padStart(2, '0')}`))));
      expect([alone, ...together].map((r) => r.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));

      expect(await log.verify()).toEqual({ intact: true, chains: 1, records: 21, anchored: 0 });
      const masked = await log.search({ coordinate: 'MarketProfile.legalRepresentative', effect: 'MASK' }, 100);
      expect(masked.records.map((r) => r.requestId).sort()).toEqual(together.filter((_, i) => (i + 1) % 2).map((r) => r.requestId).sort());
      const first = await log.search({ uscc: '91110000000000000A' }, 10);
      expect(first.records.map((r) => r.requestId)).toEqual(['req-0']);
      expect(first.records[0]!.decisions).toEqual(alone.decisions);
    } finally {
      await log.close();
    }
  });
});

describe('the access log on PostgreSQL', () => {
  const ADMIN_URL = process.env['MEG_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const NAME = 'meg_unit_audit_log';
  let url: string;

  /** Runs `fn` with a client of the log's database, the append-only trigger out of the way. */
  async function behindTheTrigger<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SET session_replication_role = replica');
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${NAME}`);
    await admin.end();
    const u = new URL(ADMIN_URL);
    u.pathname = `/${NAME}`;
    url = u.toString();
  });

  it('resumes a chain where it ended, linking the next record to the last', async () => {
    const first = await AuditLog.open({ url }, 'resumed');
    const before = await Promise.all([0, 1, 2].map((i) => first.append(entry(i, '91110000000000000A'))));
    await first.close();
    const again = await AuditLog.open({ url }, 'resumed');
    try {
      const next = await again.append(entry(3, '91110000000000000A'));
      expect(next).toMatchObject({ seq: 4, prevHash: before[2]!.hash });
      expect(await again.verify()).toMatchObject({ intact: true, records: 4 });
    } finally {
      await again.close();
    }
  });

  it('fails every record of a batch it cannot commit, and goes on from where it was once it can', async () => {
    const log = await AuditLog.open({ url }, 'failing');
    try {
      const kept = await log.append(entry(0, '91110000000000000A'));
      await behindTheTrigger((c) => c.query('ALTER TABLE audit_records ADD CONSTRAINT refuse_all CHECK (false) NOT VALID'));
      const failed = await Promise.allSettled([1, 2, 3].map((i) => log.append(entry(i, '91110000000000000A'))));
      expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect((failed[0] as PromiseRejectedResult).reason.message).toMatch(/^the access log cannot be written: /);
      await behindTheTrigger((c) => c.query('ALTER TABLE audit_records DROP CONSTRAINT refuse_all'));
      // Nothing of the failed batch holds a place in the chain.
      expect(await log.append(entry(4, '91110000000000000A'))).toMatchObject({ seq: 2, prevHash: kept.hash });
    } finally {
      await log.close();
    }
  });

  it('splits more records than one commit takes into several, and verifies more than one page of a chain', async () => {
    const log = await AuditLog.open({ url }, 'large');
    try {
      const records = await Promise.all(Array.from({ length: 1_234 }, (_, i) => log.append(entry(i, '91110000000000000A'))));
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 1_234 }, (_, i) => i + 1));
      const commits = await behindTheTrigger(async (c) => Number((await c.query(`SELECT count(DISTINCT xmin::text) AS n FROM audit_records WHERE chain_id = 'large'`)).rows[0].n));
      // Appended in one turn, committed together: 500, 500 and 234, at most 500 a commit.
      expect(commits).toBe(3);
      expect(await log.verify()).toMatchObject({ intact: true });
      // A fault on the second page of the chain is found.
      await behindTheTrigger((c) => c.query(`UPDATE audit_records SET hash = $1 WHERE chain_id = 'large' AND seq = 1100`, ['0'.repeat(64)]));
      expect(await log.verify()).toMatchObject({ intact: false, chainId: 'large', seq: 1100, reason: 'its content does not match its hash: the record was altered' });
      await behindTheTrigger((c) => c.query(`UPDATE audit_records SET hash = $1 WHERE chain_id = 'large' AND seq = 1100`, [records[1_099]!.hash]));
      expect(await log.verify()).toMatchObject({ intact: true });
    } finally {
      await log.close();
    }
  });

  it.each([
    ['request_id', `'other'`],
    ['channel', `'grpc'`],
    ['outcome', `'refused'`],
    ['principal_sub', `'nobody'`],
    ['principal_agency', `'CUSTOMS'`],
    ['purpose', `'AUDIT'`],
    ['enterprises', `ARRAY['91110000000000000B']`],
    ['coordinates', `ARRAY['TaxProfile.arrears']`],
    ['effects', `ARRAY['ALLOW', 'ALLOW']`],
  ])('finds its %s column changed, as a search column altered to hide a record', async (column, value) => {
    const chain = `columns-${column}`;
    const log = await AuditLog.open({ url }, chain);
    try {
      await Promise.all([0, 1, 2].map((i) => log.append(entry(i, '91110000000000000A'))));
      await behindTheTrigger((c) => c.query(`UPDATE audit_records SET ${column} = ${value} WHERE chain_id = $1 AND seq = 2`, [chain]));
      const verification = await log.verify();
      expect(verification).toMatchObject({ intact: false, chainId: chain, seq: 2, reason: `its ${column} column does not match the hashed record: the record was altered` });
    } finally {
      await behindTheTrigger((c) => c.query('DELETE FROM audit_records WHERE chain_id = $1', [chain]));
      await log.close();
    }
  });
});
