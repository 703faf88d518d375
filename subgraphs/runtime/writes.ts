/**
 * The write path of an agency's subgraph: every mutation is a record, never an edit.
 *
 * - **Owned.** Only officers of the owning agency write (the gateway's write policy decides who,
 *   for which purpose and where; this is the agency's own last check, and it fails closed).
 * - **Idempotent.** A write carries its caller's idempotency key. The same key with the same input
 *   returns the first answer and writes nothing; with another input it is refused.
 * - **Provenanced.** Each write is a row of `credit_writes`: officer, agency, region, purpose,
 *   decision document (number unique per issuing authority), legal basis, time, input and answer.
 * - **Versioned.** An entry is a chain of versions in the agency's table (`entry_id`, `version`).
 *   A correction or a removal adds a version and closes the one it replaces (`superseded_at`),
 *   which stays in the table. A removal names the version it saw: if another write got there
 *   first the answer is `CONFLICT`.
 * - **Evented.** The write's credit event goes into the outbox in the same transaction
 *   (outbox.ts), and the relay is woken to publish it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { Database, Transaction } from '../../platform/db/database.js';
import { AGENCY_REGISTRY, type Agency } from '../../platform/domain/agencies.js';
import type { CreditEvent } from '../../platform/events/creditStream.js';
import type { CallerContext } from '../../platform/trust/gatewaySignature.js';
import { chinaDate } from '../../platform/time/calendarDate.js';
import { recordCreditEvent, type OutboxRow } from './outbox.js';

/** The decision a write records (行政决定书): who issued it, its number, its legal basis, its date. */
export interface DecisionInput {
  readonly authority: string;
  readonly documentNo: string;
  readonly legalBasis: string;
  readonly decidedOn: string;
}

/** A version of an entry as a write names it: the one it corrects, or the one it removes. */
export interface EntryVersionInput {
  readonly entryId: string;
  readonly version: number;
}

/** What every mutation is asked with, besides its own input. */
export interface WriteRequest {
  /** The mutation's field on `Mutation`, e.g. `recordPenalty`. */
  readonly mutation: string;
  readonly uscc: string;
  /** The decision the write records; null for a write that records a step of one already recorded (its publication). */
  readonly decision: DecisionInput | null;
  readonly idempotencyKey: string;
  /** The mutation's own input, as asked (stored with the write, and compared on a retry). */
  readonly input: Readonly<Record<string, unknown>>;
}

/** What a write's own work produced in its transaction. */
export interface Applied<R> {
  /** The entry version written (its row, as the reads return it). */
  readonly entry: R & { readonly entry_id: string; readonly version: number };
  /** The credit event's kind, e.g. `penalty_recorded`, and what it says besides the entry. */
  readonly kind: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The receipt of a write. */
export interface WriteReceipt {
  readonly writeId: string;
  readonly entryId: string;
  readonly version: number;
  readonly eventId: string;
  readonly recordedAt: string;
  /** True when this is the answer to an earlier request with the same idempotency key: nothing was written now. */
  readonly replayed: boolean;
}

/** What a mutation answers: the receipt and the entry version it wrote. */
export interface WriteAnswer<R> {
  readonly receipt: WriteReceipt;
  readonly entry: R;
}

/** A write's own work, inside its transaction. */
export type WriteWork<R> = (tx: Transaction, write: { readonly writeId: string; readonly now: Date }) => Promise<Applied<R>>;

/** Problems with a mutation's input, each at its input path. */
export interface InputProblem {
  readonly path: string;
  readonly message: string;
}

/** An error answered to the caller, with a code and, for bad input, the input paths at fault. */
export function writeError(code: 'BAD_USER_INPUT' | 'CONFLICT' | 'FORBIDDEN' | 'IDEMPOTENCY_KEY_REUSED', message: string, problems: readonly InputProblem[] = []): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(problems.length > 0 ? { problems } : {}) } });
}

/** A correction names a publication day: a decision's publication is its own step, recorded once by `mutation`. */
export function correctionDoesNotPublish(mutation: string): GraphQLError {
  return badInput('input.publishedOn', `a correction does not publish the decision: record its publication with ${mutation}`);
}

/** One bad input at `path`. */
export function badInput(path: string, message: string): GraphQLError {
  return writeError('BAD_USER_INPUT', `${path}: ${message}`, [{ path, message }]);
}

/** Longest text an officer may put in one input field (a legal basis quotes articles; a name is short). */
const MAX_TEXT = 2_000;

/**
 * Checks a mutation's input, gathering every problem with its input path so that the caller
 * learns all that is wrong at once.
 */
export class InputChecks {
  private readonly problems: InputProblem[] = [];

  constructor(private readonly today: string) {}

  /** A required text: not blank, at most `max` characters. */
  text(path: string, value: string | null | undefined, max = MAX_TEXT): this {
    if (value === null || value === undefined || value.trim() === '') this.problems.push({ path, message: 'is required' });
    else if (value.length > max) this.problems.push({ path, message: `is ${value.length} characters long: at most ${max}` });
    return this;
  }

  /** A date (already a valid ISO date, by its scalar) that is not after today. */
  notFuture(path: string, value: string | null | undefined): this {
    if (value && value > this.today) this.problems.push({ path, message: `${value} is in the future (today is ${this.today})` });
    return this;
  }

  /** `later` is not before `earlier`. */
  notBefore(path: string, later: string | null | undefined, earlier: string | null | undefined, what: string): this {
    if (later && earlier && later < earlier) this.problems.push({ path, message: `${later} is before ${what} ${earlier}` });
    return this;
  }

  /** An amount that is a finite number, not negative. */
  amount(path: string, value: number | null | undefined): this {
    if (value === null || value === undefined) return this;
    if (!Number.isFinite(value)) this.problems.push({ path, message: 'must be a finite number' });
    else if (value < 0) this.problems.push({ path, message: `must not be negative (${value})` });
    else if (value >= 1e16) this.problems.push({ path, message: `${value} is beyond any amount recorded (at most 16 digits)` });
    return this;
  }

  /** A whole number within [min, max]. */
  integer(path: string, value: number | null | undefined, min: number, max: number): this {
    if (value === null || value === undefined) return this;
    if (!Number.isInteger(value) || value < min || value > max) this.problems.push({ path, message: `must be a whole number from ${min} to ${max}, not ${value}` });
    return this;
  }

  /** An entry version as named: a UUID and a version from 1. */
  entryVersion(path: string, value: EntryVersionInput | null | undefined): this {
    if (!value) return this;
    if (!UUID.test(value.entryId)) this.problems.push({ path: `${path}.entryId`, message: `${JSON.stringify(value.entryId)} is not an entry id` });
    this.integer(`${path}.version`, value.version, 1, 2_147_483_647);
    return this;
  }

  /** Throws every problem found, in one error, or returns. */
  orThrow(): void {
    if (this.problems.length === 0) return;
    const message = this.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    throw writeError('BAD_USER_INPUT', message, this.problems);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Options of {@link CreditWrites}. */
export interface CreditWritesOptions {
  /** Told of each event once its write has committed, to publish it soon (the outbox relay's hand-off). */
  readonly committed?: (row: OutboxRow) => void;
  /** The clock (tests inject one). */
  readonly now?: () => Date;
}

/** The role that records credit facts. */
const OFFICER = 'officer';

/** Who records the steps of the agency's scheduler, with a key and document number no officer's write can take. */
export const SCHEDULER = 'scheduler';

/** The idempotency keys of the scheduler's writes begin so; an officer's may not. */
export const SCHEDULED_KEY_PREFIX = 'scheduled:';

/** The document numbers of the scheduler's decisions begin so (they name the step and the entry); an officer's may not. */
export const SCHEDULED_DOCUMENT_PREFIX = 'MEG-SCHEDULE/';

/** An agency's write path over its database. */
export class CreditWrites {
  constructor(
    private readonly agency: Agency,
    private readonly db: Database,
    private readonly options: CreditWritesOptions = {},
  ) {}

  /** Today's date in Beijing on the write path's clock, for checks of dates in the future. */
  today(): string {
    return chinaDate(this.now());
  }

  /**
   * Records a write for `caller`: replays the answer of an earlier request with the same key, or
   * runs `work` and records the write, its provenance and its event, all in one transaction.
   */
  async record<R>(caller: CallerContext, request: WriteRequest, work: WriteWork<R>): Promise<WriteAnswer<R>> {
    this.checkCaller(caller);
    if (request.idempotencyKey.startsWith(SCHEDULED_KEY_PREFIX)) throw badInput('idempotencyKey', `keys beginning ${SCHEDULED_KEY_PREFIX} are the agency scheduler's own`);
    if (request.decision?.documentNo.startsWith(SCHEDULED_DOCUMENT_PREFIX)) {
      throw badInput('decision.documentNo', `document numbers beginning ${SCHEDULED_DOCUMENT_PREFIX} are the agency scheduler's own`);
    }
    return this.recordChecked(caller, request, work);
  }

  /**
   * Records a step of the agency's own scheduler (a list move that falls due with time) through the
   * same path, as the agency's scheduler rather than an officer: its provenance says so
   * (`recorded_by` is `scheduler`), and its idempotency key, derived from the entry it acts on, makes
   * the step happen once however often and on however many replicas it runs.
   */
  async recordScheduled<R>(step: string, request: WriteRequest, work: WriteWork<R>): Promise<WriteAnswer<R>> {
    if (!request.idempotencyKey.startsWith(SCHEDULED_KEY_PREFIX)) throw new Error(`internal: a scheduled write's key begins ${SCHEDULED_KEY_PREFIX}`);
    const caller: CallerContext = { requestId: `scheduler:${step}:${randomUUID()}`, sub: SCHEDULER, agency: AGENCY_REGISTRY[this.agency].code, roles: [SCHEDULER], region: null, purpose: null };
    return this.recordChecked(caller, request, work);
  }

  private async recordChecked<R>(caller: CallerContext, request: WriteRequest, work: WriteWork<R>): Promise<WriteAnswer<R>> {
    checkRequest(request, this.today());
    const requestHash = hashOf(request);
    const earlier = await this.earlier<R>(caller, request, requestHash, true);
    if (earlier) return earlier;
    let committed: OutboxRow | null = null;
    try {
      const answer = await this.db.transaction(async (tx) => {
        const writeId = randomUUID();
        const now = this.now();
        const applied = await work(tx, { writeId, now });
        const eventId = randomUUID();
        const receipt: WriteReceipt = { writeId, entryId: applied.entry.entry_id, version: applied.entry.version, eventId, recordedAt: now.toISOString(), replayed: false };
        const stored: WriteAnswer<R> = { receipt, entry: applied.entry };
        await tx.query(
          `INSERT INTO credit_writes (write_id, recorded_by, idempotency_key, request_hash, mutation, uscc, caller_agency, caller_region, purpose, request_id,
                                      authority, document_no, legal_basis, decided_on, recorded_at, input, answer)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
          [
            writeId,
            caller.sub,
            request.idempotencyKey,
            requestHash,
            request.mutation,
            request.uscc,
            caller.agency,
            caller.region,
            caller.purpose,
            caller.requestId,
            request.decision?.authority ?? null,
            request.decision?.documentNo ?? null,
            request.decision?.legalBasis ?? null,
            request.decision?.decidedOn ?? null,
            now.toISOString(),
            JSON.stringify(request.input),
            JSON.stringify(stored),
          ],
        );
        const event: CreditEvent = {
          id: eventId,
          agency: this.agency,
          kind: applied.kind,
          uscc: request.uscc,
          occurredAt: now.toISOString(),
          data: {
            ...applied.data,
            entry: applied.entry,
            entryId: receipt.entryId,
            version: receipt.version,
            writeId,
            mutation: request.mutation,
            ...(request.decision ? { decision: request.decision } : {}),
          },
        };
        committed = await recordCreditEvent(tx, event);
        return stored;
      });
      if (committed) this.options.committed?.(committed);
      return answer;
    } catch (error) {
      // Two requests with one key at once: the second finds the first's row when it commits.
      if (uniqueViolation(error, 'idempotency_key')) {
        const first = await this.earlier<R>(caller, request, requestHash, false);
        if (first) return first;
      }
      // Two writes naming one decision at once: the second is told who took it.
      if (request.decision && uniqueViolation(error, 'document_no')) {
        const first = await this.earlier<R>(caller, request, requestHash, true);
        if (first) return first;
        throw documentTaken(request.decision, null);
      }
      throw error;
    }
  }

  /** The caller is an officer of this agency, or nothing is written (the gateway's policy should have refused already). */
  private checkCaller(caller: CallerContext): void {
    const code = AGENCY_REGISTRY[this.agency].code;
    if (caller.agency !== code || !caller.roles.includes(OFFICER)) {
      throw writeError('FORBIDDEN', `only officers of ${AGENCY_REGISTRY[this.agency].name} record its credit facts`);
    }
  }

  /**
   * The answer to an earlier request of this caller with this key, or null; a key reused for
   * another write is refused. With `document`, a decision document its authority has already
   * recorded is refused too (naming the write that recorded it), asked in the same statement: the
   * unique index stays the guarantee, this names who took the number.
   */
  private async earlier<R>(caller: CallerContext, request: WriteRequest, requestHash: string, document: boolean): Promise<WriteAnswer<R> | null> {
    const rows = await this.db.query<{ found: 'key' | 'document'; request_hash: string; mutation: string; uscc: string; answer: string }>(
      'credit_writes',
      `SELECT 'key' AS found, request_hash, mutation, uscc, answer FROM credit_writes WHERE recorded_by = $1 AND idempotency_key = $2
       UNION ALL
       SELECT 'document', request_hash, mutation, uscc, answer FROM credit_writes WHERE $5 AND authority = $3 AND document_no = $4`,
      [caller.sub, request.idempotencyKey, request.decision?.authority ?? null, request.decision?.documentNo ?? null, document && request.decision !== null],
    );
    const row = rows.find((r) => r.found === 'key');
    if (!row) {
      const taken = rows.find((r) => r.found === 'document');
      if (taken && request.decision) throw documentTaken(request.decision, taken);
      return null;
    }
    if (row.request_hash !== requestHash) {
      throw writeError(
        'IDEMPOTENCY_KEY_REUSED',
        `idempotencyKey ${JSON.stringify(request.idempotencyKey)} was used for another write (${row.mutation}); a retry must send the same input, a new write a new key`,
        [{ path: 'idempotencyKey', message: 'was used for another write' }],
      );
    }
    const stored = JSON.parse(row.answer) as WriteAnswer<R>;
    return { receipt: { ...stored.receipt, replayed: true }, entry: stored.entry };
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }
}

/** The checks every write shares: its key and its decision. */
function checkRequest(request: WriteRequest, today: string): void {
  const checks = new InputChecks(today).text('idempotencyKey', request.idempotencyKey, 128);
  if (request.decision) {
    checks
      .text('decision.authority', request.decision.authority, 200)
      .text('decision.documentNo', request.decision.documentNo, 100)
      .text('decision.legalBasis', request.decision.legalBasis)
      .notFuture('decision.decidedOn', request.decision.decidedOn);
  }
  checks.orThrow();
}

function documentTaken(decision: DecisionInput, by: { mutation: string; uscc: string } | null): GraphQLError {
  const where = by ? ` (by ${by.mutation} for ${by.uscc})` : '';
  return badInput('decision.documentNo', `${decision.authority} has already recorded decision document ${decision.documentNo}${where}; each number is used once per authority`);
}

/** What makes two requests the same write: the mutation, the enterprise, the decision and the input. */
function hashOf(request: WriteRequest): string {
  return createHash('sha256')
    .update(stableJson([request.mutation, request.uscc, request.decision, request.input]))
    .digest('hex');
}

/** JSON with object keys sorted, so that the same input hashes the same whatever its key order. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Whether `error` is a unique violation on a constraint whose name or detail mentions `column`. */
export function uniqueViolation(error: unknown, column: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown; detail?: unknown; message?: unknown } | null;
  if (!e || e.code !== '23505') return false;
  return [e.constraint, e.detail, e.message].some((text) => typeof text === 'string' && text.includes(column));
}
