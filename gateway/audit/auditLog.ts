/**
 * The tamper-evident access log. Each gateway replica appends to its own chain:
 *   hash = SHA-256(prev_hash || canonical JSON of the record), the first prev_hash all zeros.
 * Appends are group-committed: a record's promise resolves only once the transaction holding it
 * has committed, and the gateway releases a response only after that. If the store cannot be
 * written, the append fails and so does the request it describes.
 */
import { createHash, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { migrate, openDatabase, type Database, type DatabaseLocation } from '../../platform/db/database.js';
import { AnchorWriter, type AnchorReading } from './anchors.js';
import { canonicalJson } from './canonicalJson.js';

/** Where a request came in. */
export type Channel = 'graphql' | 'grpc' | 'console';

/** How a request ended. */
export type AuditOutcome = 'ok' | 'partial' | 'refused' | 'error';

/** One field decision as recorded. */
export interface RecordedDecision {
  readonly coordinate: string;
  readonly effect: string;
  readonly rule: string;
}

/** One write a mutation asked for, as recorded: what, on which enterprise, decided how, with what it asked to record. */
export interface RecordedWrite {
  readonly coordinate: string;
  readonly uscc: string | null;
  readonly effect: string;
  readonly rule: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** What is recorded of one request. */
export interface AuditEntry {
  readonly at: string;
  readonly requestId: string;
  readonly channel: Channel;
  readonly principal: { readonly sub: string | null; readonly agency: string | null; readonly roles: readonly string[]; readonly region: string | null };
  readonly purpose: string | null;
  readonly operationName: string | null;
  /** SHA-256 of the operation's text (GraphQL) or of the call's request message (gRPC). */
  readonly operationHash: string | null;
  /** Unified social credit codes the request named or received. */
  readonly enterprises: readonly string[];
  readonly decisions: readonly RecordedDecision[];
  /** For a mutation: each write it asked for, with its input (what was written, or refused). */
  readonly writes?: readonly RecordedWrite[];
  readonly policyRevision: string;
  readonly outcome: AuditOutcome;
  /** Why a request was refused or failed, in words. */
  readonly detail?: string;
  /** For a request refused before its caller was known (no token accepted): the address it came from. */
  readonly address?: string;
}

/** A record as stored: the entry with its place in its chain. */
export interface AuditRecord extends AuditEntry {
  readonly chainId: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** The result of verifying every chain (and, when anchors were given, each chain's head against its anchor). */
export type Verification =
  | { readonly intact: true; readonly chains: number; readonly records: number; readonly anchored: number }
  | { readonly intact: false; readonly chains: number; readonly records: number; readonly anchored: number; readonly chainId: string; readonly seq: number; readonly reason: string };

/** Options of {@link AuditLog.open}. */
export interface AuditLogOptions {
  /** Where and with which key (Ed25519) the chain's head is anchored outside the store, and how often. */
  readonly anchors?: { readonly dir: string; readonly key: KeyObject; readonly intervalMs: number };
}

/** What the log can be searched by. */
export interface AuditSearch {
  readonly uscc?: string | null;
  readonly sub?: string | null;
  readonly agency?: string | null;
  readonly purpose?: string | null;
  readonly coordinate?: string | null;
  readonly effect?: string | null;
  readonly outcome?: string | null;
  readonly from?: string | null;
  readonly to?: string | null;
}

/** Where a page of the log ends: the record's time as the database writes it, its chain and its place in it. */
export type AuditPosition = readonly [at: string, chainId: string, seq: string];

const GENESIS = '0'.repeat(64);
// The tables named to the database's statement counter: the access log's database reports none.
// Stryker disable next-line StringLiteral: equivalent, a counter label that nothing reads
const RECORDS = 'audit_records';
// Stryker disable next-line StringLiteral: equivalent, a counter label that nothing reads
const HEARTBEATS = 'audit_heartbeats';

/** A JSON array of strings (a parameter) as a text[], in its order. */
const textArray = (json: string) => `ARRAY(SELECT e FROM json_array_elements_text(${json}::json) WITH ORDINALITY AS x(e, i) ORDER BY i)`;

/** The columns of a record, in the order both inserts give them. */
const COLUMNS = `chain_id, seq, at, request_id, channel, principal_sub, principal_agency, purpose, outcome,
                 enterprises, coordinates, effects, record, prev_hash, hash`;

/** Appends a batch of records of one chain, given column by column. */
const INSERT_BATCH = `
  INSERT INTO audit_records (${COLUMNS})
  SELECT $1, r.seq, r.at, r.request_id, r.channel, r.principal_sub, r.principal_agency, r.purpose, r.outcome,
         ${textArray('r.enterprises')}, ${textArray('r.coordinates')}, ${textArray('r.effects')}, r.record, r.prev_hash, r.hash
    FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
      AS r(seq, at, request_id, channel, principal_sub, principal_agency, purpose, outcome, enterprises, coordinates, effects, record, prev_hash, hash)`;
/**
 * Appends one record. Most commits carry one record (group commit batches only what arrives
 * while the previous commit is under way), and this form costs the database about 0.14 ms of CPU
 * less per record than unnesting arrays and JSON lists (measured on the bench's audit table).
 */
const INSERT_ONE = `
  INSERT INTO audit_records (${COLUMNS})
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`;
const MAX_BATCH = 500;

/** The access log over its own database (PGlite under .data/audit, or PostgreSQL). */
export class AuditLog {
  private pending: { entry: AuditEntry; resolve: (r: AuditRecord) => void; reject: (e: Error) => void }[] = [];
  private flushing = false;
  private head: { seq: number; hash: string };

  private constructor(
    private readonly db: Database,
    /** The chain this writer appends to (empty for a reader, which appends nothing). */
    readonly chainId: string,
    head: { seq: number; hash: string },
    private readonly anchors: AnchorWriter | null,
  ) {
    this.head = head;
  }

  /**
   * Opens the log as its writer, migrating its database, and resumes `chainId` where it ended;
   * with `options.anchors`, anchors the chain's head outside the store as it grows and on close.
   */
  static async open(location: DatabaseLocation, chainId: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    const db = await openDatabase(location, { poolSize: 4 });
    await migrate(db, path.join(projectRoot, 'gateway/audit/migrations'));
    const [last] = await db.query<{ seq: string | number; hash: string }>(RECORDS, 'SELECT seq, hash FROM audit_records WHERE chain_id = $1 ORDER BY seq DESC LIMIT 1', [chainId]);
    const head = last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS };
    if (!options.anchors) return new AuditLog(db, chainId, head, null);
    const anchors = new AnchorWriter(options.anchors.dir, options.anchors.key, chainId);
    const log = new AuditLog(db, chainId, head, anchors);
    anchors.start(() => log.head, options.anchors.intervalMs);
    return log;
  }

  /**
   * Opens the log to read it (verify, search) beside its writer: on PostgreSQL in read-only
   * transactions and without migrating; an embedded log only while no gateway holds it (one
   * process per folder). Throws when the store holds no access log.
   */
  static async openReader(location: DatabaseLocation): Promise<AuditLog> {
    const db = await openDatabase(location, { poolSize: 2, readOnly: true });
    const [table] = await db.query<{ t: string | null }>(RECORDS, "SELECT to_regclass('audit_records')::text AS t");
    // Stryker disable next-line OptionalChaining: equivalent, the statement answers one row whatever the store holds
    if (!table?.t) {
      await db.close();
      throw new Error(`there is no access log at ${'url' in location ? 'the database of DATABASE_URL_AUDIT' : location.dataDir}: no gateway has recorded anything there`);
    }
    // Stryker disable next-line ObjectLiteral: equivalent, a reader appends nothing, so its head is never read
    return new AuditLog(db, '', { seq: 0, hash: GENESIS }, null);
  }

  /** Appends a record; resolves once it is committed, rejects if it could not be. */
  append(entry: AuditEntry): Promise<AuditRecord> {
    if (this.chainId === '') return Promise.reject(new Error('this access log was opened to be read'));
    return new Promise((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let the requests finishing in this turn join the same commit.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH);
      let { seq, hash } = this.head;
      const records = batch.map(({ entry }) => {
        seq += 1;
        const text = canonicalJson({ ...entry, chainId: this.chainId, seq });
        const record: AuditRecord & { text: string; columns: DecisionColumns } = {
          ...entry,
          chainId: this.chainId,
          seq,
          prevHash: hash,
          hash: chainHash(hash, text),
          text,
          columns: decisionColumns(entry.decisions),
        };
        hash = record.hash;
        return record;
      });
      try {
        // One INSERT is atomic on its own: the whole batch is committed or none of it. The batch
        // form's text is the same for every batch size (the rows come as arrays), so both are
        // prepared once.
        const [one] = records;
        if (records.length === 1 && one) {
          await this.db.query(RECORDS, INSERT_ONE, [
            this.chainId,
            one.seq,
            one.at,
            one.requestId,
            one.channel,
            one.principal.sub,
            one.principal.agency,
            one.purpose,
            one.outcome,
            one.enterprises,
            one.columns.coordinates,
            one.columns.effects,
            one.text,
            one.prevHash,
            one.hash,
          ]);
        } else {
          const column = <T>(f: (r: (typeof records)[number]) => T) => records.map(f);
          const list = (f: (r: (typeof records)[number]) => readonly string[]) => records.map((r) => JSON.stringify(f(r)));
          await this.db.query(RECORDS, INSERT_BATCH, [
            this.chainId,
            column((r) => r.seq),
            column((r) => r.at),
            column((r) => r.requestId),
            column((r) => r.channel),
            column((r) => r.principal.sub),
            column((r) => r.principal.agency),
            column((r) => r.purpose),
            column((r) => r.outcome),
            list((r) => r.enterprises),
            column((r) => r.columns.coordinatesJson),
            column((r) => r.columns.effectsJson),
            // The records' texts are most of a batch's bytes: quoted in one pass (textArray).
            textArrayLiteral(column((r) => r.text)),
            column((r) => r.prevHash),
            column((r) => r.hash),
          ]);
        }
        this.head = { seq, hash };
        records.forEach(({ text: _t, columns: _c, ...record }, i) => batch[i]!.resolve(record));
      } catch (error) {
        const failure = new Error(`the access log cannot be written: ${(error as Error).message}`);
        for (const p of batch) p.reject(failure);
      }
    }
    this.flushing = false;
  }

  /**
   * Checks every chain from its first record: order, links, hashes, and that the search columns
   * agree with the record; then, given the anchors read from outside the store, that no chain
   * ends before its anchor and that each anchored record is still the one anchored.
   */
  async verify(anchoring?: AnchorReading): Promise<Verification> {
    const chains = (await this.db.query<{ chain_id: string }>(RECORDS, 'SELECT DISTINCT chain_id FROM audit_records ORDER BY chain_id')).map((r) => r.chain_id);
    const anchorOf = new Map((anchoring?.anchors ?? []).map((a) => [a.chainId, a]));
    const heads = new Map<string, number>();
    const anchoredHash = new Map<string, string>();
    const anchored = chains.filter((c) => anchorOf.has(c)).length;
    let records = 0;
    for (const chainId of chains) {
      let expectedSeq = 1;
      let prev = GENESIS;
      for (;;) {
        const page = await this.db.query<RecordRow>(
          RECORDS,
          `SELECT chain_id, seq, request_id, channel, principal_sub, principal_agency, purpose, outcome, enterprises, coordinates, effects, record, prev_hash, hash
             FROM audit_records WHERE chain_id = $1 AND seq >= $2 ORDER BY seq LIMIT 1000`,
          [chainId, expectedSeq],
        );
        if (page.length === 0) break;
        for (const row of page) {
          const seq = Number(row.seq);
          const broken = (reason: string, at = seq): Verification => ({ intact: false, chains: chains.length, records, anchored, chainId, seq: at, reason });
          if (seq !== expectedSeq) return broken(`record ${expectedSeq} is missing: the chain goes from ${expectedSeq - 1} to ${seq}`, expectedSeq);
          if (row.prev_hash !== prev) return broken(`its previous hash does not match record ${seq - 1}: records were removed, reordered or replaced`);
          if (chainHash(row.prev_hash, row.record) !== row.hash) return broken('its content does not match its hash: the record was altered');
          const mismatch = columnMismatch(row, chainId, seq);
          if (mismatch) return broken(`its ${mismatch} column does not match the hashed record: the record was altered`);
          if (anchorOf.get(chainId)?.seq === seq) anchoredHash.set(chainId, row.hash);
          prev = row.hash;
          expectedSeq += 1;
          records += 1;
        }
      }
      heads.set(chainId, expectedSeq - 1);
    }
    const broken = (chainId: string, seq: number, reason: string): Verification => ({ intact: false, chains: chains.length, records, anchored, chainId, seq, reason });
    for (const untrusted of anchoring?.untrusted ?? []) {
      return broken('(anchors)', 0, `the anchor file ${untrusted.file} cannot be trusted: ${untrusted.reason}`);
    }
    for (const anchor of anchoring?.anchors ?? []) {
      const head = heads.get(anchor.chainId);
      if (head === undefined) {
        return broken(anchor.chainId, 1, `the chain was anchored at record ${anchor.seq} on ${anchor.at}, but the log holds none of it: the whole chain was removed`);
      }
      if (head < anchor.seq) {
        return broken(anchor.chainId, head + 1, `the chain ends at record ${head} but was anchored at record ${anchor.seq} on ${anchor.at}: records ${head + 1} to ${anchor.seq} were cut off its end`);
      }
      if (anchoredHash.get(anchor.chainId) !== anchor.hash) {
        return broken(anchor.chainId, anchor.seq, `record ${anchor.seq} is not the one anchored on ${anchor.at}: the chain was rewritten from there`);
      }
    }
    return { intact: true, chains: chains.length, records, anchored };
  }

  /** A page of records matching `search`, newest first, after `after` (the end of the previous page). */
  async search(search: AuditSearch, first: number, after?: AuditPosition | null): Promise<{ records: AuditRecord[]; hasNextPage: boolean; end: AuditPosition | null }> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      conditions.push(sql(`$${params.length}`));
    };
    if (search.uscc) add((p) => `enterprises @> ARRAY[${p}]::text[]`, search.uscc);
    if (search.sub) add((p) => `principal_sub = ${p}`, search.sub);
    if (search.agency) add((p) => `principal_agency = ${p}`, search.agency);
    if (search.purpose) add((p) => `purpose = ${p}`, search.purpose);
    if (search.outcome) add((p) => `outcome = ${p}`, search.outcome);
    if (search.from) add((p) => `at >= ${p}::timestamptz`, search.from);
    if (search.to) add((p) => `at < ${p}::timestamptz`, search.to);
    if (search.coordinate && search.effect) {
      params.push(search.coordinate, search.effect);
      conditions.push(`EXISTS (SELECT 1 FROM unnest(coordinates, effects) AS d(c, e) WHERE d.c = $${params.length - 1} AND d.e = $${params.length})`);
    } else if (search.coordinate) {
      add((p) => `coordinates @> ARRAY[${p}]::text[]`, search.coordinate);
    } else if (search.effect) {
      add((p) => `effects @> ARRAY[${p}]::text[]`, search.effect);
    }
    if (after) {
      const [at, chainId, seq] = after;
      params.push(at, chainId, seq);
      conditions.push(`(at, chain_id, seq) < ($${params.length - 2}::timestamptz, $${params.length - 1}, $${params.length})`);
    }
    params.push(first + 1);
    const rows = await this.db.query<{ record: string; prev_hash: string; hash: string; at_key: string }>(
      RECORDS,
      `SELECT record, prev_hash, hash, at::text AS at_key FROM audit_records ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY at DESC, chain_id DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    const records = rows.slice(0, first).map((r) => ({ ...(JSON.parse(r.record) as AuditEntry & { chainId: string; seq: number }), prevHash: r.prev_hash, hash: r.hash }));
    const lastRecord = records.at(-1);
    return {
      records,
      hasNextPage: rows.length > first,
      end: lastRecord ? [rows[records.length - 1]!.at_key, lastRecord.chainId, String(lastRecord.seq)] : null,
    };
  }

  /**
   * Resolves once this writer has committed a write to the store (its heartbeat row), rejects
   * when the store does not take writes: what readiness means for the access log.
   */
  async probe(): Promise<void> {
    await this.db.query(HEARTBEATS, 'INSERT INTO audit_heartbeats (chain_id, at) VALUES ($1, now()) ON CONFLICT (chain_id) DO UPDATE SET at = excluded.at', [this.chainId]);
  }

  /** Waits for the records under way, anchors the chain's last head, and closes the database. */
  async close(): Promise<void> {
    // A pending record has a flush under way: append starts one when it queues the first.
    while (this.flushing) await new Promise((r) => setTimeout(r, 10));
    try {
      this.anchors?.close(this.head);
    } finally {
      await this.db.close();
    }
  }
}

interface RecordRow {
  chain_id: string;
  seq: string | number;
  request_id: string;
  channel: string;
  principal_sub: string | null;
  principal_agency: string | null;
  purpose: string | null;
  outcome: string;
  enterprises: string[];
  coordinates: string[];
  effects: string[];
  record: string;
  prev_hash: string;
  hash: string;
}

/** A record's decisions as its search columns: text[] literals, and the JSON lists the batch insert unnests. */
interface DecisionColumns {
  readonly coordinates: string;
  readonly effects: string;
  readonly coordinatesJson: string;
  readonly effectsJson: string;
}

/** The columns of frozen decisions (shared by every request of one kind of caller: see auditScope.ts), by decisions. */
const decisionColumnsOf = new WeakMap<readonly RecordedDecision[], DecisionColumns>();

/** The search columns of `decisions`, built once for decisions that cannot change. */
function decisionColumns(decisions: readonly RecordedDecision[]): DecisionColumns {
  const known = decisionColumnsOf.get(decisions);
  if (known) return known;
  const coordinates = decisions.map((d) => d.coordinate);
  const effects = decisions.map((d) => d.effect);
  const columns = { coordinates: textArrayLiteral(coordinates), effects: textArrayLiteral(effects), coordinatesJson: JSON.stringify(coordinates), effectsJson: JSON.stringify(effects) };
  if (Object.isFrozen(decisions) && decisions.every((d) => Object.isFrozen(d))) decisionColumnsOf.set(decisions, columns);
  return columns;
}

/**
 * A text[] parameter as PostgreSQL's array literal, each element quoted and its `"` and `\\`
 * escaped in one pass (the driver's own quoting copies each element twice: a batch's canonical
 * JSON texts, full of quotes, were most of what the gateway allocated per record).
 */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    literal += `${i === 0 ? '' : ','}${value === null || value === undefined ? 'NULL' : `"${value.replace(/["\\]/g, '\\$&')}"`}`;
  }
  return `${literal}}`;
}

function chainHash(prevHash: string, text: string): string {
  return createHash('sha256').update(prevHash).update(text).digest('hex');
}

/** The first search column that disagrees with the hashed record, or null. */
function columnMismatch(row: RecordRow, chainId: string, seq: number): string | null {
  let record: AuditEntry & { chainId?: string; seq?: number };
  try {
    record = JSON.parse(row.record) as AuditEntry & { chainId?: string; seq?: number };
  } catch {
    return 'record';
  }
  const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (record.chainId !== chainId || record.seq !== seq) return 'seq';
  if (record.requestId !== row.request_id) return 'request_id';
  if (record.channel !== row.channel) return 'channel';
  if (record.outcome !== row.outcome) return 'outcome';
  if ((record.principal?.sub ?? null) !== row.principal_sub) return 'principal_sub';
  if ((record.principal?.agency ?? null) !== row.principal_agency) return 'principal_agency';
  if ((record.purpose ?? null) !== row.purpose) return 'purpose';
  if (!same(record.enterprises ?? [], row.enterprises)) return 'enterprises';
  if (
    !same(
      (record.decisions ?? []).map((d) => d.coordinate),
      row.coordinates,
    )
  )
    return 'coordinates';
  if (
    !same(
      (record.decisions ?? []).map((d) => d.effect),
      row.effects,
    )
  )
    return 'effects';
  return null;
}
