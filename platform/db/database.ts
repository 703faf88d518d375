/**
 * One agency's database: PGlite embedded under `.data/<agency>/` by default, or a PostgreSQL
 * server when a URL is configured. The same migrations and queries run on both; every statement
 * a data source issues is counted by table, so batching can be observed from outside
 * (`meg_sql_statements_total` on the admin port's /metrics), and every round trip is timed
 * (`meg_sql_round_trip_duration_seconds`) and, within a traced request, a span of its own whose
 * attributes name the statement's keyword, table and prepared name, never its text or parameters.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sqlRoundTripSeconds, sqlStatementsTotal, type Histogram, type HistogramSeries } from '../observability/metrics.js';
import { SpanKind, tracingEnabled, withSpan, type Attributes } from '../observability/tracing.js';
import { lockStore, type StoreLock } from './storeLock.js';

/** Where an agency's data lives. */
export type DatabaseLocation = { readonly url: string } | { readonly dataDir: string };

/** Statements within one transaction. */
export interface Transaction {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Loads rows given in PostgreSQL's COPY text format into `table`. */
  copyIn(table: string, columns: readonly string[], copyText: string): Promise<void>;
}

/** What data sources read through. */
export interface Statements {
  /**
   * Runs one statement on behalf of a data source; `table` is what the statement reads, for the
   * counters. On PostgreSQL the statement is prepared once per connection, so its text should be
   * one of a fixed set (values go in parameters).
   */
  query<R = Record<string, unknown>>(table: string, sql: string, params?: readonly unknown[]): Promise<R[]>;
  /**
   * Runs a statement whose best plan depends on its values (a search by name or by prefix): sent
   * on its own and planned for its values every time, never with a plan made for others.
   */
  search<R = Record<string, unknown>>(table: string, sql: string, params?: readonly unknown[]): Promise<R[]>;
}

/** An agency's database, whichever backend holds it. */
export interface Database extends Statements {
  readonly backend: 'pglite' | 'postgres';
  /**
   * Statements for one request: on PostgreSQL, those it issues in the same turn of the event
   * loop (a request's batches of several tables, say) travel to the server as one statement.
   */
  forRequest(): Statements;
  /** Runs `work` in one transaction, committed when it resolves and rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Statements issued through {@link query} so far, by table. */
  statementCounts(): Record<string, number>;
  /** Statements sent to the server so far (several issued together count once). */
  roundTrips(): number;
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** Connections to keep to a PostgreSQL server. */
  readonly poolSize?: number;
  /**
   * On PostgreSQL, plan each prepared statement once, for any parameters (an agency's look-ups
   * by code). Left to choose, PostgreSQL plans `uscc = ANY($1)` afresh on every execution (its
   * generic estimate for an unknown array is above a custom one for a single code), which costs
   * more than the look-up itself. Not for statements whose best plan depends on their values.
   */
  readonly genericPlans?: boolean;
  /** On PostgreSQL, every transaction read-only: for a reader beside the store's one writer (the audit command line). */
  readonly readOnly?: boolean;
  /** The store's name in metrics and spans: the agency, or `audit` (default `database`). */
  readonly store?: string;
}

/** Opens the database at `location`. */
export async function openDatabase(location: DatabaseLocation, options: OpenDatabaseOptions = {}): Promise<Database> {
  const observer = new RoundTripObserver(options.store ?? 'database', 'url' in location ? 'postgres' : 'pglite');
  if ('url' in location) return PostgresDatabase.open(location.url, options.poolSize ?? 10, options.genericPlans ?? false, options.readOnly ?? false, observer);
  mkdirSync(location.dataDir, { recursive: true });
  return PGliteDatabase.open(location.dataDir, observer);
}

/**
 * Applies the `NNN_name.sql` files of `migrationsDir` that the database has not seen, in order,
 * each in its own transaction together with its row in `schema_migrations`. Concurrent starts
 * of replicas serialise on an advisory lock, so each migration runs once.
 */
export async function migrate(db: Database, migrationsDir: string): Promise<string[]> {
  const files = readdirSync(migrationsDir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7331001)');
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set((await tx.query<{ version: string }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    for (const file of files) {
      if (done.has(file)) continue;
      const sql = readFileSync(path.join(migrationsDir, file), 'utf8');
      for (const statement of splitStatements(sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [file]);
      applied.push(file);
    }
  });
  return applied;
}

/** Splits a migration into statements at semicolons that end a line (migrations hold no functions). */
function splitStatements(sql: string): string[] {
  return sql
    .replace(/--.*$/gm, '')
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The SQL keywords a round trip is labelled with; any other first word is `OTHER`. */
const OPERATIONS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'WITH', 'BEGIN', 'COMMIT', 'ROLLBACK', 'COPY', 'CREATE', 'ALTER', 'DROP', 'TRUNCATE', 'LOCK', 'SET', 'SHOW']);

/** The first keyword of `sql`, the one part of a statement's text its metrics and spans name. */
function operationOf(sql: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'OTHER';
  return OPERATIONS.has(word) ? word : 'OTHER';
}

/** What a round trip's span may say of it besides its keyword. */
interface RoundTripLabels {
  /** The tables its statements read, when known (a data source's). */
  readonly tables?: readonly string[];
  /** Its prepared statement's name. */
  readonly statement?: string;
  /** How many statements travel in it (a request's gathered ones). */
  readonly statements?: number;
}

/**
 * Counts, times and traces one store's statements: each statement by the table it reads, each
 * round trip by its keyword, with a span when it is part of a traced request (readiness probes
 * and start-up migrations begin no trace of their own).
 */
class RoundTripObserver {
  private readonly counts = new Map<string, number>();
  private readonly seconds: Histogram<'store' | 'operation'>;
  private readonly secondsByOperation = new Map<string, HistogramSeries>();

  constructor(
    private readonly store: string,
    private readonly backend: 'pglite' | 'postgres',
  ) {
    // The counts are read when scraped: counted into prom-client, each statement would cost a label hash.
    sqlStatementsTotal(() => [...this.counts].map(([table, n]) => [{ store, table }, n] as const));
    this.seconds = sqlRoundTripSeconds();
  }

  /** A data source issued a statement reading `table`. */
  count(table: string): void {
    this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Sends `sql` through `send`, timed, and traced as a child of the active span. */
  async roundTrip<T>(sql: string, labels: RoundTripLabels, send: () => Promise<T>): Promise<T> {
    const operation = operationOf(sql);
    let child = this.secondsByOperation.get(operation);
    if (!child) this.secondsByOperation.set(operation, (child = this.seconds.series({ store: this.store, operation })));
    const end = child.startTimer();
    try {
      if (!tracingEnabled()) return await send();
      const table = labels.tables?.length === 1 ? labels.tables[0] : undefined;
      return await withSpan(table ? `${operation} ${table}` : operation, this.attributes(operation, labels), send, { kind: SpanKind.CLIENT, childOnly: true });
    } finally {
      end();
    }
  }

  private attributes(operation: string, labels: RoundTripLabels): Attributes {
    const attributes: Attributes = {
      'db.system.name': 'postgresql',
      'db.system': 'postgresql',
      'db.operation.name': operation,
      'meg.db.store': this.store,
      'meg.db.backend': this.backend,
    };
    if (labels.tables?.length === 1) attributes['db.collection.name'] = labels.tables[0];
    else if (labels.tables && labels.tables.length > 1) attributes['meg.db.tables'] = [...new Set(labels.tables)].sort();
    if (labels.statement) attributes['meg.db.statement'] = labels.statement;
    if (labels.statements !== undefined) attributes['meg.db.statements'] = labels.statements;
    return attributes;
  }
}

class PGliteDatabase implements Database {
  readonly backend = 'pglite' as const;
  private sent = 0;

  private constructor(
    private readonly pglite: PGlite,
    private readonly lock: StoreLock,
    private readonly observer: RoundTripObserver,
  ) {}

  /**
   * Opens the folder's database, holding its lock while open (one process per folder). A folder
   * that cannot be opened is left as it is and reported with the cause and what to do: it may
   * hold the only copy of what was written, so it is never replaced by an empty one.
   */
  static async open(dataDir: string, observer: RoundTripObserver): Promise<PGliteDatabase> {
    const lock = await lockStore(dataDir);
    try {
      const pglite = await PGlite.create({ dataDir });
      return new PGliteDatabase(pglite, lock, observer);
    } catch (error) {
      lock.release();
      throw new StoreUnreadableError(dataDir, error);
    }
  }

  async query<R>(table: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.observer.count(table);
    this.sent++;
    return this.observer.roundTrip(sql, { tables: [table] }, async () => (await this.pglite.query<R>(sql, params as unknown[])).rows);
  }

  /** In process, a statement costs no round trip: nothing to gather. */
  forRequest(): Statements {
    return this;
  }

  search<R>(table: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.query<R>(table, sql, params);
  }

  roundTrips(): number {
    return this.sent;
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) =>
      work({
        query: <R>(sql: string, params: readonly unknown[] = []) => this.observer.roundTrip(sql, {}, async () => (await tx.query<R>(sql, params as unknown[])).rows),
        copyIn: async (table, columns, copyText) => {
          const sql = `COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`;
          await this.observer.roundTrip(sql, { tables: [table] }, () => tx.query(sql, [], { blob: new Blob([copyText]) }));
        },
      }),
    );
  }

  async ping(): Promise<void> {
    await this.pglite.query('SELECT 1');
  }

  statementCounts(): Record<string, number> {
    return this.observer.snapshot();
  }

  async close(): Promise<void> {
    try {
      await this.pglite.close();
    } finally {
      this.lock.release();
    }
  }
}

/** An embedded database folder that exists but cannot be opened. */
export class StoreUnreadableError extends Error {
  override readonly name = 'StoreUnreadableError';

  constructor(
    readonly folder: string,
    cause: unknown,
  ) {
    super(
      `the embedded database at ${folder} cannot be opened (${String((cause as Error)?.message ?? cause).split('\n')[0]}); ` +
        'it was left as it is, nothing in it replaced or removed. Restore the folder from a backup, or move it aside ' +
        `(mv ${folder} ${folder}.unreadable) and start again to begin an empty one; keep the moved folder for whoever investigates`,
      { cause },
    );
  }
}

const statementNames = new Map<string, string>();

/** A stable name for a statement's text (PostgreSQL keeps prepared statements per connection). */
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `meg_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
    // The texts are the data sources' own, a bounded set; the cap only guards the memo.
    if (statementNames.size < 10_000) statementNames.set(sql, name);
  }
  return name;
}

class PostgresDatabase implements Database {
  readonly backend = 'postgres' as const;
  private sent = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly observer: RoundTripObserver,
  ) {}

  static async open(url: string, poolSize: number, genericPlans: boolean, readOnly: boolean, observer: RoundTripObserver): Promise<PostgresDatabase> {
    const settings = [...(genericPlans ? ['-c plan_cache_mode=force_generic_plan'] : []), ...(readOnly ? ['-c default_transaction_read_only=on'] : [])];
    // Connections are kept while idle (pg closes them after 10 s by default): reopening one costs
    // the server a process and the request that waits for it several milliseconds.
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 0,
      ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
    });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new PostgresDatabase(pool, observer);
    await db.ping();
    return db;
  }

  async query<R>(table: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.observer.count(table);
    return this.run<R>(sql, params, [table]);
  }

  forRequest(): Statements {
    return new CombinedStatements(this);
  }

  async search<R>(table: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.observer.count(table);
    this.sent++;
    // Unnamed: planned at each execution with its values, whatever plan_cache_mode says.
    return this.observer.roundTrip(sql, { tables: [table] }, async () => (await this.pool.query({ text: sql, values: params as unknown[] })).rows as R[]);
  }

  /** Sends one statement (or a request's gathered ones), already counted by table; `tables` are what it reads. */
  async run<R>(sql: string, params: readonly unknown[], tables: readonly string[], statements?: number): Promise<R[]> {
    this.sent++;
    // A named statement is parsed and planned once per connection, then only bound and run:
    // the data sources issue the same few statements thousands of times a second.
    const name = statementName(sql);
    return this.observer.roundTrip(
      sql,
      { tables, statement: name, ...(statements === undefined ? {} : { statements }) },
      async () => (await this.pool.query({ name, text: sql, values: params as unknown[] })).rows as R[],
    );
  }

  count(table: string): void {
    this.observer.count(table);
  }

  roundTrips(): number {
    return this.sent;
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const send = <R>(sql: string, params: readonly unknown[] = []) => this.observer.roundTrip(sql, {}, async () => (await client.query(sql, params as unknown[])).rows as R[]);
    try {
      await send('BEGIN');
      const result = await work({
        query: send,
        copyIn: async (table, columns, copyText) => {
          const sql = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
          await this.observer.roundTrip(sql, { tables: [table] }, () => pipeline(Readable.from([copyText]), client.query(copyFrom(sql))));
        },
      });
      await send('COMMIT');
      return result;
    } catch (error) {
      await send('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  statementCounts(): Record<string, number> {
    return this.observer.snapshot();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** A statement waiting for the end of its turn. */
interface Waiting {
  readonly table: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  // Function properties, not methods: they are the promise's own resolve and reject, passed on as they are.
  readonly resolve: (rows: unknown[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * One request's statements: those issued in the same turn of the event loop are sent as one
 * `SELECT (SELECT json_agg(s) FROM (<statement 1>) s) AS r0, (...) AS r1, ...`.
 *
 * A profile reads a dozen tables; each statement on its own costs a round trip, and with it a
 * wake-up of a server process and of this one, more than the index look-up it carries. Gathered,
 * each agency pays one or two per request.
 *
 * - Rows come back as JSON, also when a turn has one statement, so a row has the same shape
 *   however it travelled. The data sources select text, integers and booleans (dates and amounts
 *   as `::text`, counts as `::int`), for which JSON gives what the driver would: strings,
 *   numbers, booleans, nulls. (A bigint would come back as a number, rounded past 2^53.)
 * - Each statement keeps its own order: `json_agg` over a sorted subquery aggregates in that
 *   order, and it cannot run in parallel (it has no combine function), so nothing reorders it.
 * - The gathered text is prepared like any other. Its statements are sorted by text, so a request
 *   shape gives one text whatever order its loaders ran in: the set is bounded by the subsets of
 *   the data sources' fixed statements.
 * - When the gathered statement fails, each is sent alone, so only the one at fault fails.
 * - A text with quotes is sent alone as it is: its parameters cannot be renumbered safely.
 */
class CombinedStatements implements Statements {
  private waiting: Waiting[] = [];

  constructor(private readonly db: PostgresDatabase) {}

  query<R>(table: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.db.count(table);
    if (/['"]|\$\$/.test(sql)) return this.db.run<R>(sql, params, [table]);
    return new Promise<R[]>((resolve, reject) => {
      // DataLoader dispatches each table's batch from process.nextTick; this tick comes after them.
      if (this.waiting.push({ table, sql, params, resolve: resolve as (rows: unknown[]) => void, reject }) === 1) process.nextTick(() => this.flush());
    });
  }

  search<R>(table: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return this.db.search<R>(table, sql, params);
  }

  private flush(): void {
    const batch = this.waiting.sort((x, y) => (x.sql < y.sql ? -1 : x.sql > y.sql ? 1 : 0));
    this.waiting = [];
    const { sql, params } = gathered(batch);
    this.db
      .run<Record<string, unknown[] | null>>(
        sql,
        params,
        batch.map((w) => w.table),
        batch.length,
      )
      .then(
        ([row]) => batch.forEach((w, i) => w.resolve(row![`r${i}`] ?? [])),
        (error: unknown) => {
          if (batch.length === 1) batch[0]!.reject(error);
          else for (const w of batch) this.db.run(w.sql, w.params, [w.table]).then(w.resolve, w.reject);
        },
      );
  }
}

/** Gathered texts by the texts and parameter counts they gather: a request shape repeats thousands of times a second. */
const gatheredTexts = new Map<string, string>();

/** The statement that runs `batch` at once, each one's parameters renumbered after the previous one's. */
function gathered(batch: readonly Waiting[]): { sql: string; params: unknown[] } {
  const params = batch.flatMap((w) => w.params);
  const key = batch.map((w) => `${w.params.length}\0${w.sql}`).join('\0');
  let sql = gatheredTexts.get(key);
  if (sql === undefined) {
    let offset = 0;
    const columns = batch.map((w, i) => {
      const text = w.sql.replace(/\$(\d+)/g, (_, n: string) => `$${offset + Number(n)}`);
      offset += w.params.length;
      return `(SELECT json_agg(s) FROM (${text}) s) AS r${i}`;
    });
    sql = `SELECT ${columns.join(', ')}`;
    // Bounded by the subsets of the data sources' fixed texts; the cap only guards the memo.
    if (gatheredTexts.size < 10_000) gatheredTexts.set(key, sql);
  }
  return { sql, params };
}
