/**
 * A request's statements of one turn travel to PostgreSQL as one, and come back as they would
 * have alone: same rows, same types, same order, and a failing statement fails alone.
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processRegistry } from '../observability/metrics.js';
import { startTracing, withSpan } from '../observability/tracing.js';
import { openDatabase, type Database } from './database.js';

const ADMIN_URL = process.env['MEG_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// Under the checkout's prefix, as test/support's testDatabasePrefix names them (the kernel's tests may not import it).
const NAME = `${process.env['MEG_TEST_DATABASE_PREFIX'] ?? 'meg_test'}_unit_statements`;

let db: Database;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${NAME}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${NAME}`;
  db = await openDatabase({ url: url.toString() }, { poolSize: 4, store: 'unit' });
  await db.transaction(async (tx) => {
    await tx.query(`CREATE TABLE filings (uscc text, period text, revenue numeric(18,2), months integer, settled boolean, filed_on date, note text)`);
    await tx.query(
      `INSERT INTO filings VALUES
         ('A', '2024-01', 1234.50, 3, true, '2024-02-10', 'first'),
         ('A', '2024-02', 99.00, 1, false, '2024-03-11', null),
         ('B', '2024-01', 0.10, 12, null, '2024-02-01', 'quote'' and "double" and \\ back'),
         ('C', '2023-12', 5.00, 0, true, '2024-01-05', '')`,
    );
  });
});

afterAll(async () => {
  await db?.close();
});

const BY_CODE = `SELECT uscc, period, revenue::text AS revenue, months, settled, filed_on::text AS filed_on, note
  FROM filings WHERE uscc = ANY($1) ORDER BY period DESC`;
const BY_MONTHS = `SELECT uscc, period, months FROM filings WHERE months BETWEEN $1 AND $2 AND uscc <> $3 ORDER BY months, period`;
const COUNTED = `SELECT uscc, count(*)::int AS filings FROM filings WHERE uscc = ANY($1) GROUP BY uscc ORDER BY uscc`;

describe('statements of one request', () => {
  it('issued in one turn go as one round trip and give what each gives alone, in its order', async () => {
    const alone = [
      await db.query('filings', BY_CODE, [['A', 'B', 'C']]),
      await db.query('filings', BY_MONTHS, [1, 12, 'C']),
      await db.query('filings', COUNTED, [['A', 'B', 'Z']]),
      await db.query('filings', BY_CODE, [['Z']]),
    ];
    expect(alone[0]!.map((r) => r['period'])).toEqual(['2024-02', '2024-01', '2024-01', '2023-12']);

    const request = db.forRequest();
    const before = db.roundTrips();
    const together = await Promise.all([
      request.query('filings', BY_CODE, [['A', 'B', 'C']]),
      request.query('filings', BY_MONTHS, [1, 12, 'C']),
      request.query('filings', COUNTED, [['A', 'B', 'Z']]),
      request.query('filings', BY_CODE, [['Z']]),
    ]);
    expect(db.roundTrips() - before).toBe(1);
    expect(together).toEqual(alone);
    expect(together[3]).toEqual([]);
    expect(together[0][2]).toMatchObject({ uscc: 'B', revenue: '0.10', months: 12, settled: null, note: 'quote\' and "double" and \\ back' });
  });

  it('issued in different turns go separately', async () => {
    const request = db.forRequest();
    const before = db.roundTrips();
    const first = await request.query('filings', BY_CODE, [['A']]);
    const second = await request.query('filings', COUNTED, [['A']]);
    expect(db.roundTrips() - before).toBe(2);
    expect(first).toHaveLength(2);
    expect(second).toEqual([{ uscc: 'A', filings: 2 }]);
  });

  it('are counted by table, each one', async () => {
    const request = db.forRequest();
    const before = db.statementCounts()['filings'] ?? 0;
    await Promise.all([request.query('filings', BY_CODE, [['A']]), request.query('filings', COUNTED, [['B']])]);
    expect(db.statementCounts()['filings']).toBe(before + 2);
  });

  it('fail one by one: a statement that fails does not take the others with it', async () => {
    const request = db.forRequest();
    const results = await Promise.allSettled([
      request.query('filings', BY_CODE, [['A']]),
      request.query('filings', `SELECT uscc, months / $2::int AS ratio FROM filings WHERE uscc = ANY($1)`, [['C'], 0]),
      request.query('filings', COUNTED, [['B']]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/division by zero/);
    expect((results[0] as PromiseFulfilledResult<unknown[]>).value).toHaveLength(2);
    expect((results[2] as PromiseFulfilledResult<unknown[]>).value).toEqual([{ uscc: 'B', filings: 1 }]);
  });

  it('that search by a pattern go alone, not gathered', async () => {
    const request = db.forRequest();
    const before = db.roundTrips();
    const [found, counted] = await Promise.all([request.search('filings', 'SELECT DISTINCT uscc FROM filings WHERE note LIKE $1 ORDER BY uscc', ['%o%']), request.query('filings', COUNTED, [['A']])]);
    expect(db.roundTrips() - before).toBe(2);
    expect(found).toEqual([{ uscc: 'B' }]);
    expect(counted).toEqual([{ uscc: 'A', filings: 2 }]);
  });

  it('are planned once for all values only where the database was opened for it', async () => {
    expect(await db.query('settings', 'SHOW plan_cache_mode')).toEqual([{ plan_cache_mode: 'auto' }]);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${NAME}`;
    const lookups = await openDatabase({ url: url.toString() }, { poolSize: 1, genericPlans: true });
    try {
      expect(await lookups.query('settings', 'SHOW plan_cache_mode')).toEqual([{ plan_cache_mode: 'force_generic_plan' }]);
    } finally {
      await lookups.close();
    }
  });

  it('with quotes in its text is sent as it is', async () => {
    const request = db.forRequest();
    const rows = await request.query('filings', `SELECT uscc FROM filings WHERE note = 'first' AND uscc = ANY($1)`, [['A', 'B']]);
    expect(rows).toEqual([{ uscc: 'A' }]);
  });
});

describe('round trips', () => {
  it('are counted and timed by store, table and keyword on the process registry', async () => {
    const series = async () => {
      const text = await processRegistry().metrics();
      const value = (name: string) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(`${name} `))
            ?.split(' ')[1] ?? 0,
        );
      return [value('meg_sql_statements_total{store="unit",table="filings"}'), value('meg_sql_round_trip_duration_seconds_count{store="unit",operation="SELECT"}')];
    };
    const [statementsBefore, tripsBefore] = await series();
    const request = db.forRequest();
    await Promise.all([request.query('filings', BY_CODE, [['A']]), request.query('filings', COUNTED, [['B']])]);
    expect(await series()).toEqual([statementsBefore! + 2, tripsBefore! + 1]);
  });

  it('within a traced request are spans naming the keyword, tables and prepared statement, never the text or the values', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = startTracing({ service: 'meg-test', exporters: [exporter] });
    try {
      // Outside a request (a probe, a migration): no trace of its own.
      await db.query('filings', BY_CODE, [['A']]);
      expect(exporter.getFinishedSpans()).toEqual([]);

      await withSpan('request', {}, async () => {
        const request = db.forRequest();
        await Promise.all([request.query('filings', BY_CODE, [['91350100M000100Y43']]), request.query('filings', COUNTED, [['B']])]);
        await db.query('filings', BY_MONTHS, [1, 12, '520103199001011493']);
        await db.transaction((tx) => tx.query('SELECT $1::text AS secret', ['18800005181']));
      });
      const spans = exporter.getFinishedSpans();
      const root = spans.find((s) => s.name === 'request')!;
      const sql = spans.filter((s) => s !== root);
      expect(sql.map((s) => s.name)).toEqual(['SELECT', 'SELECT filings', 'BEGIN', 'SELECT', 'COMMIT']);
      for (const span of sql) {
        expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
        expect(span.spanContext().traceId).toBe(root.spanContext().traceId);
        expect(span.attributes).toMatchObject({ 'db.system': 'postgresql', 'db.system.name': 'postgresql', 'meg.db.store': 'unit' });
      }
      expect(sql[0]!.attributes).toEqual({
        'db.system.name': 'postgresql',
        'db.system': 'postgresql',
        'db.operation.name': 'SELECT',
        'meg.db.store': 'unit',
        'meg.db.backend': 'postgres',
        'meg.db.tables': ['filings'],
        'meg.db.statement': expect.stringMatching(/^meg_[0-9a-f]{24}$/),
        'meg.db.statements': 2,
      });
      expect(sql[1]!.attributes).toMatchObject({ 'db.collection.name': 'filings', 'db.operation.name': 'SELECT' });
      const recorded = JSON.stringify(sql.map((s) => [s.name, s.attributes, s.events]));
      for (const leak of ['91350100M000100Y43', '520103199001011493', '18800005181', 'uscc', 'ANY', '$1']) expect(recorded).not.toContain(leak);
    } finally {
      await tracing.shutdown();
    }
  });
});
