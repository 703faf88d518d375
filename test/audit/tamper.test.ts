/**
 * The access log is tamper-evident: a record changed, deleted or moved in the database is caught
 * by verification, from the command line and over GraphQL. Each case undoes its tampering.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { auditCli, withAuditDatabase } from '../support/audit.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';

const federation = inject('federation');

interface Row {
  chain_id: string;
  seq: string;
  record: string;
  prev_hash: string;
  hash: string;
}

/** Runs `fn` with the append-only trigger out of the way (a superuser can; that is what verification is for). */
async function tampering(fn: (c: pg.Client, rows: Row[]) => Promise<void>, undo: (c: pg.Client, rows: Row[]) => Promise<void>, check: () => Promise<void>) {
  await withAuditDatabase(federation, async (c) => {
    const chain = (await c.query(`SELECT chain_id FROM audit_records GROUP BY chain_id HAVING count(*) >= 5 ORDER BY chain_id LIMIT 1`)).rows[0].chain_id;
    const rows: Row[] = (await c.query('SELECT chain_id, seq, record, prev_hash, hash FROM audit_records WHERE chain_id = $1 AND seq BETWEEN 2 AND 4 ORDER BY seq', [chain])).rows;
    await c.query('SET session_replication_role = replica');
    try {
      await fn(c, rows);
      await check();
    } finally {
      await undo(c, rows);
      await c.query('SET session_replication_role = DEFAULT');
    }
  });
}

async function verificationOverGraphQL() {
  const { body } = await graphql(federation.gatewayUrl, '{ auditVerification { intact chains records brokenChainId brokenSeq reason } }', undefined, await headersFor(federation, CALLERS.auditor));
  return body.data!['auditVerification'];
}

beforeAll(async () => {
  // Enough traffic for a chain of several records.
  for (let i = 0; i < 6; i++) await graphql(federation.gatewayUrl, '{ searchEnterprises(first: 1) { edges { cursor } } }');
});

describe('tamper evidence', () => {
  it('finds the log intact when nobody touched it', async () => {
    const cli = auditCli(federation, 'verify');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/^intact: \d+ chains?, \d+ records?; \d+ of \d+ chain heads found where anchored\n$/);
    expect(await verificationOverGraphQL()).toMatchObject({ intact: true, brokenSeq: null });
  });

  it('refuses changes through the front door: the table is append-only', async () => {
    await withAuditDatabase(federation, async (c) => {
      await expect(c.query(`UPDATE audit_records SET outcome = 'ok' WHERE seq = 1`)).rejects.toThrow('audit records are append-only');
      await expect(c.query(`DELETE FROM audit_records WHERE seq = 1`)).rejects.toThrow('audit records are append-only');
    });
  });

  it('refuses TRUNCATE, even to a superuser, and keeps every record', async () => {
    await withAuditDatabase(federation, async (c) => {
      expect((await c.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows).toEqual([{ rolsuper: true }]);
      const before: string[] = (await c.query(`SELECT chain_id || ' ' || seq AS key FROM audit_records ORDER BY 1`)).rows.map((r) => r.key);
      expect(before.length).toBeGreaterThan(0);
      // In a transaction rolled back after, so that a TRUNCATE let through fails this test without
      // emptying the log every other test of the suite reads.
      await c.query('BEGIN');
      try {
        await expect(c.query('TRUNCATE audit_records')).rejects.toThrow('audit records are append-only');
      } finally {
        await c.query('ROLLBACK');
      }
      const after: string[] = (await c.query(`SELECT chain_id || ' ' || seq AS key FROM audit_records ORDER BY 1`)).rows.map((r) => r.key);
      // Records written meanwhile by the gateway are there too; none of the earlier ones is gone.
      expect(before.filter((key) => !after.includes(key))).toEqual([]);
    });
  });

  it('catches a changed record', async () => {
    await tampering(
      async (c, [, row]) => {
        const changed = row!.record.replace(/"outcome":"[a-z]+"/, '"outcome":"refused"').replace('"purpose":null', '"purpose":"JOINT_PUNISHMENT"');
        await c.query('UPDATE audit_records SET record = $1 WHERE chain_id = $2 AND seq = $3', [
          changed === row!.record ? row!.record.replace('"channel":"graphql"', '"channel":"console"') : changed,
          row!.chain_id,
          row!.seq,
        ]);
      },
      async (c, [, row]) => void (await c.query('UPDATE audit_records SET record = $1 WHERE chain_id = $2 AND seq = $3', [row!.record, row!.chain_id, row!.seq])),
      async () => {
        const cli = auditCli(federation, 'verify');
        expect(cli.status).toBe(1);
        expect(cli.stdout).toMatch(/^BROKEN: chain \S+, record 3: its content does not match its hash: the record was altered/);
        expect(await verificationOverGraphQL()).toMatchObject({ intact: false, brokenSeq: 3, reason: 'its content does not match its hash: the record was altered' });
      },
    );
  });

  it('catches a search column changed to hide who asked', async () => {
    await tampering(
      async (c, [row]) => void (await c.query(`UPDATE audit_records SET principal_sub = 'nobody' WHERE chain_id = $1 AND seq = $2`, [row!.chain_id, row!.seq])),
      async (c, [row]) => void (await c.query(`UPDATE audit_records SET principal_sub = (record::jsonb -> 'principal' ->> 'sub') WHERE chain_id = $1 AND seq = $2`, [row!.chain_id, row!.seq])),
      async () => {
        expect(auditCli(federation, 'verify').stdout).toMatch(/record 2: its principal_sub column does not match the hashed record/);
      },
    );
  });

  it('catches a deleted record', async () => {
    await tampering(
      async (c, [, row]) => void (await c.query('DELETE FROM audit_records WHERE chain_id = $1 AND seq = $2', [row!.chain_id, row!.seq])),
      async (c, [, row]) => {
        const r = (await c.query('SELECT 1 FROM audit_records WHERE chain_id = $1 AND seq = $2', [row!.chain_id, row!.seq])).rows;
        if (r.length === 0) {
          const parsed = JSON.parse(row!.record);
          await c.query(
            `INSERT INTO audit_records (chain_id, seq, at, request_id, channel, principal_sub, principal_agency, purpose, outcome, enterprises, coordinates, effects, record, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
            [
              row!.chain_id,
              row!.seq,
              parsed.at,
              parsed.requestId,
              parsed.channel,
              parsed.principal.sub,
              parsed.principal.agency,
              parsed.purpose,
              parsed.outcome,
              parsed.enterprises,
              parsed.decisions.map((d: { coordinate: string }) => d.coordinate),
              parsed.decisions.map((d: { effect: string }) => d.effect),
              row!.record,
              row!.prev_hash,
              row!.hash,
            ],
          );
        }
      },
      async () => {
        const cli = auditCli(federation, 'verify');
        expect(cli.status).toBe(1);
        expect(cli.stdout).toMatch(/record 3: record 3 is missing: the chain goes from 2 to 4/);
      },
    );
  });

  it('catches reordered records', async () => {
    // Records 2 and 3 swap places: each keeps its content and hash but sits at the other's seq.
    await tampering(
      async (c, [a, b]) => {
        await c.query('UPDATE audit_records SET seq = -1 WHERE chain_id = $1 AND seq = $2', [a!.chain_id, a!.seq]);
        await c.query('UPDATE audit_records SET seq = $1 WHERE chain_id = $2 AND seq = $3', [a!.seq, b!.chain_id, b!.seq]);
        await c.query('UPDATE audit_records SET seq = $1 WHERE chain_id = $2 AND seq = -1', [b!.seq, a!.chain_id]);
      },
      async (c, [a, b]) => {
        await c.query('UPDATE audit_records SET seq = -1 WHERE chain_id = $1 AND hash = $2', [a!.chain_id, a!.hash]);
        await c.query('UPDATE audit_records SET seq = $1 WHERE chain_id = $2 AND hash = $3', [b!.seq, b!.chain_id, b!.hash]);
        await c.query('UPDATE audit_records SET seq = $1 WHERE chain_id = $2 AND seq = -1', [a!.seq, a!.chain_id]);
      },
      async () => {
        const cli = auditCli(federation, 'verify');
        expect(cli.status).toBe(1);
        expect(cli.stdout).toMatch(/record 2: its previous hash does not match record 1: records were removed, reordered or replaced/);
      },
    );
  });

  it('is intact again once the tampering is undone', async () => {
    expect(auditCli(federation, 'verify').status).toBe(0);
  });
});
