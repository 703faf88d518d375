/**
 * The access log on an embedded database: a record committed alone and records committed together
 * (group commit) are stored the same way, found by the same searches, and verify as one chain.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry, type AuditPosition, type AuditRecord, type AuditSearch } from './auditLog.js';
import { createDatabases, POSTGRES_ADMIN_URL, testDatabasePrefix } from '../../test/support/federation.js';
import { canonicalJson } from './canonicalJson.js';

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
      // As the README tells an auditor who checks the chain by hand: the first link is all zeros.
      expect(alone.prevHash).toBe('0'.repeat(64));
      expect(alone.hash).toBe(
        createHash('sha256')
          .update(alone.prevHash)
          .update(canonicalJson({ ...entry(0, '91110000000000000A'), chainId: 'chain-test', seq: 1 }))
          .digest('hex'),
      );

      expect(await log.verify()).toEqual({ intact: true, chains: 1, records: 21, anchored: 0 });
      const masked = await log.search({ coordinate: 'MarketProfile.legalRepresentative', effect: 'MASK' }, 100);
      expect(masked.records.map((r) => r.requestId).sort()).toEqual(
        together
          .filter((_, i) => (i + 1) % 2)
          .map((r) => r.requestId)
          .sort(),
      );
      const first = await log.search({ uscc: '91110000000000000A' }, 10);
      expect(first.records.map((r) => r.requestId)).toEqual(['req-0']);
      expect(first.records[0]!.decisions).toEqual(alone.decisions);
    } finally {
      await log.close();
    }
  });

  it('keeps a record whose words hold quotes, backslashes and any script byte for byte, alone or committed together', async () => {
    const log = await AuditLog.open({ dataDir: path.join(dir, 'quoted') }, 'quoted');
    try {
      const tricky = (i: number): AuditEntry => ({ ...entry(i, '91110000000000000A'), detail: `BAD_REQUEST: "a\\"b" \\ \\\\n {"x":[1]} 失信 ${i} \u2028 \u{1F600}`, operationName: `Op"${i}\\` });
      const alone = await log.append(tricky(0));
      const together = await Promise.all([1, 2, 3].map((i) => log.append(tricky(i))));
      expect(await log.verify()).toEqual({ intact: true, chains: 1, records: 4, anchored: 0 });
      const found = await log.search({ uscc: '91110000000000000A' }, 10);
      expect(found.records.map((r) => [r.detail, r.operationName]).sort()).toEqual([alone, ...together].map((r) => [r.detail, r.operationName]).sort());
      expect(found.records.map((r) => r.detail)).toContain(tricky(2).detail);
    } finally {
      await log.close();
    }
  });

  it('says where it looked when a folder holds no access log', async () => {
    const empty = path.join(dir, 'empty');
    await expect(AuditLog.openReader({ dataDir: empty })).rejects.toThrow(new Error(`there is no access log at ${empty}: no gateway has recorded anything there`));
  });
});

describe('the access log on PostgreSQL', () => {
  const NAME = testDatabasePrefix('unit_audit_log');
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
    [url] = (await createDatabases([NAME])) as [string];
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

  it('finds a search column listing more than the hashed record, as an enterprise added to a record', async () => {
    const chain = 'columns-added';
    const log = await AuditLog.open({ url }, chain);
    try {
      await Promise.all([0, 1, 2].map((i) => log.append(entry(i, '91110000000000000A'))));
      await behindTheTrigger((c) => c.query(`UPDATE audit_records SET enterprises = ARRAY['91110000000000000A', '91110000000000000B'] WHERE chain_id = $1 AND seq = 2`, [chain]));
      expect(await log.verify()).toMatchObject({ intact: false, chainId: chain, seq: 2, reason: 'its enterprises column does not match the hashed record: the record was altered' });
    } finally {
      await behindTheTrigger((c) => c.query('DELETE FROM audit_records WHERE chain_id = $1', [chain]));
      await log.close();
    }
  });

  it.each([
    ['the first', 1, 'record 1 is missing: the chain goes from 0 to 2'],
    ['a middle', 2, 'record 2 is missing: the chain goes from 1 to 3'],
  ])('reports %s record removed, and where the chain skips it', async (_, removed, reason) => {
    const chain = `removed-${removed}`;
    const log = await AuditLog.open({ url }, chain);
    try {
      await Promise.all([0, 1, 2].map((i) => log.append(entry(i, '91110000000000000A'))));
      await behindTheTrigger((c) => c.query('DELETE FROM audit_records WHERE chain_id = $1 AND seq = $2', [chain, removed]));
      expect(await log.verify()).toMatchObject({ intact: false, chainId: chain, seq: removed, reason });
    } finally {
      await behindTheTrigger((c) => c.query('DELETE FROM audit_records WHERE chain_id = $1', [chain]));
      await log.close();
    }
  });

  it('reports a record whose link to the one before was changed', async () => {
    const chain = 'relinked';
    const log = await AuditLog.open({ url }, chain);
    try {
      await Promise.all([0, 1, 2].map((i) => log.append(entry(i, '91110000000000000A'))));
      await behindTheTrigger((c) => c.query('UPDATE audit_records SET prev_hash = $2 WHERE chain_id = $1 AND seq = 2', [chain, '1'.repeat(64)]));
      expect(await log.verify()).toMatchObject({
        intact: false,
        chainId: chain,
        seq: 2,
        reason: 'its previous hash does not match record 1: records were removed, reordered or replaced',
      });
    } finally {
      await behindTheTrigger((c) => c.query('DELETE FROM audit_records WHERE chain_id = $1', [chain]));
      await log.close();
    }
  });

  // A chain's last record replaced and hashed again links as well as the original: what gives it
  // away is that its text no longer agrees with the columns beside it (or is no record at all).
  it.each<[string, Partial<AuditEntry> | null, (record: Record<string, unknown>) => unknown, string]>([
    ['text that is not JSON', null, () => 'not json', 'record'],
    ["another chain's record", null, (r) => ({ ...r, chainId: 'elsewhere' }), 'seq'],
    ['the record of another place', null, (r) => ({ ...r, seq: 9 }), 'seq'],
    ['a record without its caller', null, ({ principal: _, ...r }) => r, 'principal_sub'],
    ['a record without its caller, of a request with no subject', { principal: { sub: null, agency: 'TAX', roles: [], region: null } }, ({ principal: _, ...r }) => r, 'principal_agency'],
    ['a record without its decisions', null, ({ decisions: _, ...r }) => r, 'coordinates'],
  ])('reports a last record replaced by %s and hashed again', async (description, change, replace, column) => {
    const chain = `replaced-by-${description.replace(/\W+/g, '-')}`;
    const log = await AuditLog.open({ url }, chain);
    try {
      for (const i of [0, 1, 2]) await log.append({ ...entry(i, '91110000000000000A'), ...change });
      await behindTheTrigger(async (c) => {
        const [{ record }] = (await c.query('SELECT record FROM audit_records WHERE chain_id = $1 AND seq = 3', [chain])).rows;
        const replaced = replace(JSON.parse(record));
        const text = typeof replaced === 'string' ? replaced : JSON.stringify(replaced);
        await c.query(`UPDATE audit_records SET record = $2::text, hash = encode(sha256(convert_to(prev_hash || $2::text, 'UTF8')), 'hex') WHERE chain_id = $1 AND seq = 3`, [chain, text]);
      });
      expect(await log.verify()).toMatchObject({ intact: false, chainId: chain, seq: 3, reason: `its ${column} column does not match the hashed record: the record was altered` });
    } finally {
      await behindTheTrigger((c) => c.query('DELETE FROM audit_records WHERE chain_id = $1', [chain]));
      await log.close();
    }
  });

  it('commits the records under way before it closes', async () => {
    const log = await AuditLog.open({ url }, 'closing');
    const underWay = [0, 1].map((i) => log.append(entry(i, '91110000000000000A')));
    await log.close();
    expect((await Promise.all(underWay)).map((r) => r.seq)).toEqual([1, 2]);
  });

  it('proves it can write by committing its heartbeat, as often as asked', async () => {
    const log = await AuditLog.open({ url }, 'heartbeat');
    try {
      await log.probe();
      await log.probe();
      const beats = await behindTheTrigger(async (c) => (await c.query(`SELECT now() - at < interval '1 minute' AS recent FROM audit_heartbeats WHERE chain_id = 'heartbeat'`)).rows);
      expect(beats).toEqual([{ recent: true }]);
    } finally {
      await log.close();
    }
  });

  it('takes at most four connections of the server as a writer and two as a reader, however many ask at once', async () => {
    const observer = new pg.Client({ connectionString: url });
    await observer.connect();
    /** The connections to the log's database opened since `since`, other than the observer's. */
    const openedSince = async (since: string) =>
      Number((await observer.query('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_start > $1 AND pid <> pg_backend_pid()', [since])).rows[0].n);
    const now = async () => String((await observer.query('SELECT clock_timestamp()::text AS t')).rows[0].t);
    try {
      const beforeWriter = await now();
      const writer = await AuditLog.open({ url }, 'connections');
      try {
        await Promise.all(Array.from({ length: 12 }, () => writer.search({ sub: 'nobody' }, 1)));
        expect(await openedSince(beforeWriter)).toBe(4);
      } finally {
        await writer.close();
      }
      const beforeReader = await now();
      const reader = await AuditLog.openReader({ url });
      try {
        await Promise.all(Array.from({ length: 12 }, () => reader.search({ sub: 'nobody' }, 1)));
        expect(await openedSince(beforeReader)).toBe(2);
      } finally {
        await reader.close();
      }
    } finally {
      await observer.end();
    }
  });

  describe('read beside its writer', () => {
    it('verifies and searches what the writer committed, and refuses to append', async () => {
      const writer = await AuditLog.open({ url }, 'read-beside');
      const reader = await AuditLog.openReader({ url });
      try {
        const written = await writer.append({ ...entry(0, '91110000000000000R'), requestId: 'read-beside' });
        expect(await reader.verify()).toMatchObject({ intact: true });
        expect((await reader.search({ uscc: '91110000000000000R' }, 10)).records).toEqual([written]);
        await expect(reader.append(entry(1, '91110000000000000R'))).rejects.toThrow(new Error('this access log was opened to be read'));
      } finally {
        await reader.close();
        await writer.close();
      }
    });

    it('writes nothing, not even a heartbeat', async () => {
      const reader = await AuditLog.openReader({ url });
      try {
        await expect(reader.probe()).rejects.toThrow(/read-only transaction/);
      } finally {
        await reader.close();
      }
    });

    it('says so when the database holds no access log', async () => {
      const empty = `${NAME}_empty`;
      const [emptyUrl] = (await createDatabases([empty])) as [string];
      const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await admin.connect();
      try {
        await expect(AuditLog.openReader({ url: emptyUrl })).rejects.toThrow(new Error('there is no access log at the database of DATABASE_URL_AUDIT: no gateway has recorded anything there'));
        // Its connections were closed: nothing holds the database any more.
        await admin.query(`DROP DATABASE ${empty}`);
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${empty} WITH (FORCE)`);
        await admin.end();
      }
    });
  });

  describe('searched', () => {
    const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 10, 0, second)).toISOString();
    const A = '91110000000000000A';
    const B = '91110000000000000B';
    const C = '91110000000000000C';
    /** The records of the search tests, by request id; appended to two chains, the log otherwise empty. */
    const recorded = new Map<string, AuditRecord>();
    const ids = (records: readonly AuditRecord[]) => records.map((r) => r.requestId);
    let log: AuditLog;

    const searchEntry = (requestId: string, second: number, fields: Partial<AuditEntry>): AuditEntry => ({
      ...entry(0, A),
      requestId,
      at: at(second),
      ...fields,
    });

    beforeAll(async () => {
      await behindTheTrigger((c) => c.query('DELETE FROM audit_records'));
      const north = await AuditLog.open({ url }, 'north');
      const south = await AuditLog.open({ url }, 'south');
      try {
        const officer = (sub: string | null, agency: string | null) => ({ sub, agency, roles: ['officer'], region: null });
        for (const [writer, e] of [
          [north, searchEntry('n1', 1, { principal: officer('officer-a', 'TAX'), enterprises: [A], decisions: [{ coordinate: 'TaxProfile.arrears', effect: 'ALLOW', rule: 'own_agency' }] })],
          [
            south,
            searchEntry('s1', 2, {
              principal: officer('officer-a', 'TAX'),
              purpose: 'AUDIT',
              outcome: 'error',
              enterprises: [B],
              decisions: [{ coordinate: 'MarketProfile.legalRepresentative', effect: 'ALLOW', rule: 'own_agency' }],
            }),
          ],
          [
            north,
            searchEntry('n2', 3, {
              principal: officer('officer-b', 'CUSTOMS'),
              purpose: 'CUSTOMS_CLEARANCE',
              outcome: 'partial',
              enterprises: [A, B],
              decisions: [
                { coordinate: 'TaxProfile.arrears', effect: 'DENY', rule: 'other_agency' },
                { coordinate: 'MarketProfile.legalRepresentative', effect: 'MASK', rule: 'personal_data' },
              ],
            }),
          ],
          [south, searchEntry('s2', 3, { principal: officer('officer-c', 'MARKET'), enterprises: [C], decisions: [{ coordinate: 'TaxProfile.arrears', effect: 'MASK', rule: 'summary_only' }] })],
          [north, searchEntry('n3', 4, { principal: officer(null, null), purpose: null, outcome: 'refused', enterprises: [], decisions: [], detail: 'no token' })],
        ] as const) {
          const record = await writer.append(e);
          recorded.set(record.requestId, record);
        }
      } finally {
        await north.close();
        await south.close();
      }
      log = await AuditLog.openReader({ url });
    });
    afterAll(() => log?.close());

    it('gives every record whole, newest first, and at equal times the later chain first', async () => {
      const all = await log.search({}, 10);
      expect(all).toMatchObject({ hasNextPage: false });
      expect(all.records).toEqual(['n3', 's2', 'n2', 's1', 'n1'].map((id) => recorded.get(id)));
    });

    it.each<[string, AuditSearch, string[]]>([
      ['an enterprise', { uscc: A }, ['n2', 'n1']],
      ['another enterprise', { uscc: B }, ['n2', 's1']],
      ['a caller', { sub: 'officer-a' }, ['s1', 'n1']],
      ['an agency', { agency: 'CUSTOMS' }, ['n2']],
      ['a purpose', { purpose: 'AUDIT' }, ['s1']],
      ['an outcome', { outcome: 'ok' }, ['s2', 'n1']],
      ['a time from which, inclusive', { from: at(3) }, ['n3', 's2', 'n2']],
      ['a time until which, exclusive', { to: at(3) }, ['s1', 'n1']],
      ['a field', { coordinate: 'TaxProfile.arrears' }, ['s2', 'n2', 'n1']],
      ['an effect', { effect: 'MASK' }, ['s2', 'n2']],
      ['a field and its effect in one decision', { coordinate: 'TaxProfile.arrears', effect: 'MASK' }, ['s2']],
      ['another field and its effect in one decision', { coordinate: 'MarketProfile.legalRepresentative', effect: 'MASK' }, ['n2']],
      ['a caller and an outcome together', { sub: 'officer-a', outcome: 'error' }, ['s1']],
      ['an agency, an enterprise and a span of time together', { agency: 'TAX', uscc: B, from: at(1), to: at(4) }, ['s1']],
      ['a field, an effect and a caller together', { coordinate: 'TaxProfile.arrears', effect: 'DENY', sub: 'officer-b' }, ['n2']],
      [
        'criteria left empty, which are no criteria',
        { uscc: null, sub: '', agency: null, purpose: '', coordinate: null, effect: '', outcome: null, from: '', to: null },
        ['n3', 's2', 'n2', 's1', 'n1'],
      ],
    ])('finds records by %s', async (_, search, expected) => {
      expect(ids((await log.search(search, 10)).records)).toEqual(expected);
    });

    it.each([1, 2, 3, 4, 5])('pages through every record, %s at a time, none lost or repeated', async (first) => {
      const seen: string[] = [];
      let after: AuditPosition | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const page = await log.search({}, first, after);
        expect(page.records.length).toBeLessThanOrEqual(first);
        seen.push(...ids(page.records));
        expect(page.end?.slice(1)).toEqual([page.records.at(-1)!.chainId, String(page.records.at(-1)!.seq)]);
        if (!page.hasNextPage) break;
        after = page.end;
      }
      expect(seen).toEqual(['n3', 's2', 'n2', 's1', 'n1']);
    });

    it('has no page after the last, which ends nowhere', async () => {
      const page = await log.search({ outcome: 'ok' }, 2);
      expect(page).toMatchObject({ hasNextPage: false });
      expect(ids(page.records)).toEqual(['s2', 'n1']);
      expect(await log.search({ outcome: 'ok' }, 2, page.end)).toEqual({ records: [], hasNextPage: false, end: null });
      expect(await log.search({ sub: 'nobody' }, 2)).toEqual({ records: [], hasNextPage: false, end: null });
    });
  });
});
