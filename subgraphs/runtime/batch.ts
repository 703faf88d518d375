/**
 * Batched data access by unified social credit code. Within one request every look-up of a
 * table is gathered into one statement `WHERE uscc = ANY($1)`, however many enterprises the
 * gateway asked for: an approval shortlist of 1,000 codes costs one statement per table.
 */
import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { CursorSealer } from '../../platform/trust/cursor.js';
import type { Statements } from '../../platform/db/database.js';

/** A row that belongs to an enterprise. */
export interface UsccRow {
  readonly uscc: string;
}

/** Loads, per code, the rows `sql` returns for `$1` = the batch of codes, in the statement's order. */
export function rowsByUscc<R extends UsccRow>(db: Statements, table: string, sql: string): DataLoader<string, R[]> {
  return new DataLoader<string, R[]>(
    async (codes) => {
      const rows = await db.query<R>(table, sql, [codes]);
      const grouped = new Map<string, R[]>(codes.map((c) => [c, []]));
      for (const row of rows) grouped.get(row.uscc)?.push(row);
      return codes.map((c) => grouped.get(c)!);
    },
    { maxBatchSize: 5_000 },
  );
}

/** Loads, per code, the single row `sql` returns for it, or null. */
export function rowByUscc<R extends UsccRow>(db: Statements, table: string, sql: string): DataLoader<string, R | null> {
  return new DataLoader<string, R | null>(
    async (codes) => {
      const rows = await db.query<R>(table, sql, [codes]);
      const byCode = new Map(rows.map((r) => [r.uscc, r]));
      return codes.map((c) => byCode.get(c) ?? null);
    },
    { maxBatchSize: 5_000 },
  );
}

/** One page of an enterprise's list, Relay-style. */
export interface Page<R> {
  readonly edges: readonly { readonly cursor: string; readonly node: R }[];
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly totalCount: number;
}

/** How a paginated per-enterprise list is read. */
export interface PagedListSpec {
  readonly table: string;
  /** The selected columns, `uscc` among them. */
  readonly select: string;
  /** Sort columns with their SQL types; the last must make the order total. */
  readonly orderBy: readonly (readonly [column: string, sqlType: string])[];
  readonly direction: 'ASC' | 'DESC';
}

/** Largest page a caller may ask for. */
export const MAX_PAGE_SIZE = 100;

/**
 * Loads one page per code of a per-enterprise list with the same `first`/`after`, in one
 * statement for the whole batch (window functions number each enterprise's rows).
 */
export function pagesByUscc<R extends UsccRow>(db: Statements, cursors: CursorSealer, spec: PagedListSpec, first: number, afterValues: readonly string[] | null): DataLoader<string, Page<R>> {
  checkPageSize(first);
  const order = spec.orderBy.map(([c]) => `${c} ${spec.direction}`).join(', ');
  const columns = `(${spec.orderBy.map(([c]) => c).join(', ')})`;
  const placeholders = `(${spec.orderBy.map(([, t], i) => `$${i + 3}::${t}`).join(', ')})`;
  const afterCondition = afterValues ? `${columns} ${spec.direction === 'DESC' ? '<' : '>'} ${placeholders}` : 'true';
  const sql = `
    SELECT * FROM (
      SELECT ${spec.select},
        count(*) OVER (PARTITION BY uscc)::int AS total_count,
        row_number() OVER (PARTITION BY uscc ORDER BY ${order})::int AS position,
        (${afterCondition}) AS after_cursor,
        (count(*) FILTER (WHERE ${afterCondition})
           OVER (PARTITION BY uscc ORDER BY ${order} ROWS UNBOUNDED PRECEDING))::int AS page_rank
      FROM ${spec.table}
      WHERE uscc = ANY($1)
    ) listed
    WHERE (after_cursor AND page_rank <= $2) OR position = 1
    ORDER BY uscc, position`;
  type Ranked = R & { total_count: number; position: number; after_cursor: boolean; page_rank: number };
  return new DataLoader<string, Page<R>>(
    async (codes) => {
      const rows = await db.query<Ranked>(spec.table, sql, [codes, first + 1, ...(afterValues ?? [])]);
      const pages = new Map<string, { rows: Ranked[]; total: number; more: boolean }>();
      for (const row of rows) {
        const page = pages.get(row.uscc) ?? { rows: [], total: row.total_count, more: false };
        pages.set(row.uscc, page);
        if (!row.after_cursor) continue;
        if (row.page_rank <= first) page.rows.push(row);
        else page.more = true;
      }
      return codes.map((code) => {
        const page = pages.get(code);
        const edges = (page?.rows ?? []).map((row) => {
          const { total_count: _t, position: _p, after_cursor: _a, page_rank: _r, ...node } = row;
          const position = spec.orderBy.map(([c]) => String((row as unknown as Record<string, unknown>)[c]));
          return { cursor: cursors.seal(spec.table, position, row.uscc), node: node as unknown as R };
        });
        return {
          edges,
          pageInfo: { hasNextPage: page?.more ?? false, endCursor: edges.at(-1)?.cursor ?? null },
          totalCount: page?.total ?? 0,
        };
      });
    },
    { maxBatchSize: 5_000 },
  );
}

/**
 * Pages of one per-enterprise list for one request: all enterprises that ask for the same page
 * (same `first` and `after`) share one statement.
 */
export class PagedList<R extends UsccRow> {
  private readonly loaders = new Map<string, DataLoader<string, Page<R>>>();

  constructor(
    private readonly db: Statements,
    private readonly cursors: CursorSealer,
    private readonly spec: PagedListSpec,
  ) {}

  /** The page of `uscc`'s list after `after` (a cursor of that enterprise's list), `first` long. */
  pageOf(uscc: string, first: number, after: string | null | undefined): Promise<Page<R>> {
    const afterValues = after == null ? null : this.cursors.open(this.spec.table, after, this.spec.orderBy.length, 'after', uscc);
    const key = JSON.stringify([first, afterValues]);
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = pagesByUscc<R>(this.db, this.cursors, this.spec, first, afterValues);
      this.loaders.set(key, loader);
    }
    return loader.load(uscc);
  }
}

/** Refuses a page size outside 1–{@link MAX_PAGE_SIZE}. */
export function checkPageSize(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new GraphQLError(`first must be between 1 and ${MAX_PAGE_SIZE}, not ${first}`, {
      extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
    });
  }
}
