/**
 * Versioned entries in an agency's tables. Each row is one version of an entry (`entry_id`,
 * `version`, the `write_id` that wrote it); the current version is the one not superseded
 * (`superseded_at IS NULL`), and the reads see only those. A new entry is version 1; a correction
 * or a removal supersedes the version it names and adds the next, copying what it does not change.
 * Nothing is deleted and no version's facts are changed.
 */
import type { Transaction } from '../../platform/db/database.js';
import type { CallerContext } from '../../platform/trust/gatewaySignature.js';
import { InputChecks, badInput, uniqueViolation, writeError, type CreditWrites, type EntryVersionInput, type WriteAnswer } from './writes.js';

/** Which entry and version a row of a versioned table is. */
export interface EntryVersion {
  entry_id: string;
  version: number;
}

/** A table of versioned entries. */
export interface EntryTable {
  readonly table: string;
  /** The data columns and their SQL types. */
  readonly columns: Readonly<Record<string, string>>;
  /** What the reads select (with `entry_id` and `version`), as the table's source selects it. */
  readonly select: string;
  /** The unique index over current versions, the input path that names its key, and what it guards. */
  readonly unique: { readonly index: string; readonly path: string; readonly describe: (values: Readonly<Record<string, unknown>>) => string };
  /** What the entry is called in errors ("penalty", "abnormal-operations entry"). */
  readonly noun: string;
}

/** Inserts version 1 of a new entry; a current entry with the same key is refused at its input path. */
export async function insertEntry<R>(tx: Transaction, t: EntryTable, values: Readonly<Record<string, unknown>>, writeId: string): Promise<R & { entry_id: string; version: number }> {
  const names = Object.keys(t.columns);
  const missing = names.filter((n) => !(n in values));
  if (missing.length > 0) throw new Error(`internal: ${t.table} needs ${missing.join(', ')}`);
  const placeholders = names.map((n, i) => `$${i + 1}::${t.columns[n]}`);
  try {
    const [row] = await tx.query<R & { entry_id: string; version: number }>(
      `INSERT INTO ${t.table} (${names.join(', ')}, write_id) VALUES (${placeholders.join(', ')}, $${names.length + 1}) RETURNING ${t.select}`,
      [...names.map((n) => values[n]), writeId],
    );
    return row!;
  } catch (error) {
    if (uniqueViolation(error, t.unique.index)) throw badInput(t.unique.path, `${t.unique.describe(values)} is already recorded; to correct it, name its current version in supersedes`);
    throw error;
  }
}

/** How {@link supersedeEntry} finds the version it replaces. */
export interface Superseding {
  readonly uscc: string;
  /** The version the caller saw, and the input path that names it. */
  readonly seen: EntryVersionInput;
  readonly path: string;
  /**
   * For a removal: the column that is null while the entry stands (removed_on, settled_on) and is
   * set by the removal, the verb, and the column of the day it began (the removal cannot precede it).
   */
  readonly standing?: { readonly column: string; readonly done: string; readonly since: string };
}

/**
 * Supersedes the current version the caller saw with a new one carrying `changes`. The entry must
 * be this enterprise's, its current version the one seen (else `CONFLICT`: another write came
 * first) and, for a removal, still standing.
 */
export async function supersedeEntry<R>(
  tx: Transaction,
  t: EntryTable,
  target: Superseding,
  changes: Readonly<Record<string, unknown>>,
  write: { readonly writeId: string; readonly now: Date },
): Promise<R & { entry_id: string; version: number }> {
  const { entryId, version } = target.seen;
  const closing: unknown[] = [entryId, version, target.uscc, write.now.toISOString()];
  let standing = '';
  if (target.standing) {
    closing.push(changes[target.standing.column]);
    standing = ` AND ${target.standing.column} IS NULL AND ${target.standing.since} <= $5::date`;
  }
  const closed = await tx.query<{ entry_id: string }>(
    `UPDATE ${t.table} SET superseded_at = $4 WHERE entry_id = $1 AND version = $2 AND uscc = $3 AND superseded_at IS NULL${standing} RETURNING entry_id`,
    closing,
  );
  if (closed.length === 0) throw await whyNotCurrent(tx, t, target, changes);
  const names = Object.keys(t.columns);
  const unknown = Object.keys(changes).filter((n) => !(n in t.columns));
  if (unknown.length > 0) throw new Error(`internal: ${t.table} has no ${unknown.join(', ')}`);
  const params: unknown[] = [entryId, version, write.writeId];
  const projected = names.map((n) => {
    if (!(n in changes)) return n;
    params.push(changes[n]);
    return `$${params.length}::${t.columns[n]}`;
  });
  try {
    const [row] = await tx.query<R & { entry_id: string; version: number }>(
      `INSERT INTO ${t.table} (${names.join(', ')}, entry_id, version, write_id)
       SELECT ${projected.join(', ')}, entry_id, version + 1, $3 FROM ${t.table} WHERE entry_id = $1 AND version = $2
       RETURNING ${t.select}`,
      params,
    );
    return row!;
  } catch (error) {
    if (uniqueViolation(error, t.unique.index)) throw badInput(t.unique.path, `${t.unique.describe(changes)} is already recorded as another entry`);
    throw error;
  }
}

/** Why the version named is not one to supersede: no such entry of this enterprise, a later version, or one removed. */
async function whyNotCurrent(tx: Transaction, t: EntryTable, target: Superseding, changes: Readonly<Record<string, unknown>>): Promise<Error> {
  const { entryId, version } = target.seen;
  const standingColumn = target.standing ? `, ${target.standing.column}::text AS done_on, ${target.standing.since}::text AS since` : '';
  const [latest] = await tx.query<{ version: number; done_on?: string | null; since?: string }>(
    `SELECT version${standingColumn} FROM ${t.table} WHERE entry_id = $1 AND uscc = $2 ORDER BY version DESC LIMIT 1`,
    [entryId, target.uscc],
  );
  if (!latest) return badInput(`${target.path}.entryId`, `this enterprise has no ${t.noun} ${entryId}`);
  if (latest.version !== version) {
    return writeError('CONFLICT', `the ${t.noun} ${entryId} is at version ${latest.version}, not the version ${version} named: another write changed it; read it again and decide anew`, [
      { path: `${target.path}.version`, message: `the current version is ${latest.version}` },
    ]);
  }
  if (target.standing && latest.done_on) return badInput(target.path, `the ${t.noun} ${entryId} was already ${target.standing.done} on ${latest.done_on}: it cannot be ${target.standing.done} again`);
  const day = target.standing ? changes[target.standing.column] : undefined;
  if (target.standing && typeof day === 'string' && latest.since && day < latest.since) {
    return badInput('decision.decidedOn', `${day} is before the ${t.noun} began (${latest.since}): it cannot be ${target.standing.done} before then`);
  }
  return writeError('CONFLICT', `the ${t.noun} ${entryId} changed while it was being written; read it again`);
}

/** A decision's publication (双公示), as the `publish…` mutations take it. */
export interface PublicationInput {
  readonly uscc: string;
  readonly entry: EntryVersionInput;
  readonly publishedOn: string;
}

/**
 * Records that the decision `input.entry` of table `t` was published on `input.publishedOn`: a new
 * version of the entry with its publication day, written through the write path under no decision
 * of its own (it publishes one already recorded) with the event `kind`. The decision must still be
 * unpublished, the day not before it (`decidedOn` names the column of its day) nor in the future;
 * the version named must be the current one (else `CONFLICT`).
 */
export async function publishEntry<R>(
  writes: CreditWrites,
  caller: CallerContext,
  t: EntryTable,
  mutation: string,
  decidedOn: string,
  input: PublicationInput,
  idempotencyKey: string,
  kind: string,
): Promise<WriteAnswer<R>> {
  new InputChecks(writes.today()).notFuture('input.publishedOn', input.publishedOn).entryVersion('input.entry', input.entry).orThrow();
  return writes.record<R>(caller, { mutation, uscc: input.uscc, decision: null, idempotencyKey, input: { ...input } }, async (tx, write) => {
    const target = { uscc: input.uscc, seen: input.entry, path: 'input.entry', standing: { column: 'published_on', done: 'published', since: decidedOn } };
    const published = await supersedeEntry<R>(tx, t, target, { published_on: input.publishedOn }, write);
    return { entry: published, kind };
  });
}
