/**
 * One agency's database: PGlite embedded under `.data/<agency>/` by default, or a PostgreSQL
 * server when a URL is configured. The same migrations and queries run on both; every statement
 * a data source issues is counted by table, so batching can be observed from outside
 * (`/metrics`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Where an agency's data lives. */
export type DatabaseLocation = { readonly url: string } | { readonly dataDir: string };

/** Statements within one transaction. */
export interface Transaction {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Loads rows given in PostgreSQL's COPY text format into `table`. */
  copyIn(table: string, columns: readonly string[], copyText: string): Promise<void>;
}

/** An agency's database, whichever backend holds it. */
export interface Database {
  readonly backend: 'pglite' | 'postgres';
  /**
   * Runs one statement on behalf of a data source; `table` is what the statement reads, for the
   * counters. On PostgreSQL the statement is prepared once per connection, so its text should be
   * one of a fixed set (values go in parameters).
   */
  query<R = Record<string, unknown>>(table: string, sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `work` in one transaction, committed when it resolves and rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Statements issued through {@link query} so far, by table. */
  statementCounts(): Record<string, number>;
  close(): Promise<void>;
}

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** Connections to keep to a PostgreSQL server. */
  readonly poolSize?: number;
}

/** Opens the database at `location`. */
export async function openDatabase(location: DatabaseLocation, options: OpenDatabaseOptions = {}): Promise<Database> {
  if ('url' in location) return PostgresDatabase.open(location.url, options.poolSize ?? 10);
  mkdirSync(location.dataDir, { recursive: true });
  return PGliteDatabase.open(location.dataDir);
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

class StatementCounter {
  private readonly counts = new Map<string, number>();

  count(table: string): void {
    this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }
}

class PGliteDatabase implements Database {
  readonly backend = 'pglite' as const;
  private readonly counter = new StatementCounter();

  private constructor(private readonly pglite: PGlite) {}

  static async open(dataDir: string): Promise<PGliteDatabase> {
    const pglite = await PGlite.create({ dataDir });
    return new PGliteDatabase(pglite);
  }

  async query<R>(table: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.counter.count(table);
    return (await this.pglite.query<R>(sql, params as unknown[])).rows;
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.pglite.transaction((tx) =>
      work({
        query: async <R>(sql: string, params: readonly unknown[] = []) => (await tx.query<R>(sql, params as unknown[])).rows,
        copyIn: async (table, columns, copyText) => {
          await tx.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], { blob: new Blob([copyText]) });
        },
      }),
    );
  }

  async ping(): Promise<void> {
    await this.pglite.query('SELECT 1');
  }

  statementCounts(): Record<string, number> {
    return this.counter.snapshot();
  }

  async close(): Promise<void> {
    await this.pglite.close();
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
  private readonly counter = new StatementCounter();

  private constructor(private readonly pool: pg.Pool) {}

  static async open(url: string, poolSize: number): Promise<PostgresDatabase> {
    // Connections are kept while idle (pg closes them after 10 s by default): reopening one costs
    // the server a process and the request that waits for it several milliseconds.
    const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 0 });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    const db = new PostgresDatabase(pool);
    await db.ping();
    return db;
  }

  async query<R>(table: string, sql: string, params: readonly unknown[] = []): Promise<R[]> {
    this.counter.count(table);
    // A named statement is parsed and planned once per connection, then only bound and run:
    // the data sources issue the same few statements thousands of times a second.
    return (await this.pool.query({ name: statementName(sql), text: sql, values: params as unknown[] })).rows as R[];
  }

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({
        query: async <R>(sql: string, params: readonly unknown[] = []) => (await client.query(sql, params as unknown[])).rows as R[],
        copyIn: async (table, columns, copyText) => {
          const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
          await pipeline(Readable.from([copyText]), stream);
        },
      });
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  statementCounts(): Record<string, number> {
    return this.counter.snapshot();
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
