/**
 * The moves between market regulation's credit lists that fall due with time
 * (policies/meg/credit/data.json, `moves`): an enterprise on the abnormal-operations list for three
 * years moves to the serious-violation list, and a serious-violation entry leaves that list three
 * years after its listing. This reads which are due on a day, for the scheduler that makes them
 * (scheduledMoves.ts) and for the dry run officers and auditors ask for (`listMovesDue`).
 */
import type { Statements } from '../../../platform/db/database.js';
import { moveDue, type ListMoveRule, type ListMoveStep } from '../../../platform/domain/publicity.js';
import { SCHEDULED_KEY_PREFIX, SCHEDULER } from '../../runtime/writes.js';

/** A move due: the entry it starts from, the day it falls due, and why. */
export interface ListMove {
  readonly step: ListMoveStep;
  readonly uscc: string;
  readonly entryId: string;
  readonly version: number;
  readonly authority: string;
  readonly listedOn: string;
  /** The day the move falls due: the day after the listing's term (its third anniversary) has run. */
  readonly due: string;
  readonly reason: string;
  readonly basis: string;
}

/** How many moves of one step are made, at most, each time the scheduler runs (the rest wait for the next). */
const BATCH = 200;

/** The idempotency key of the scheduler's write for a move: one per step and entry. */
export function moveKey(step: ListMoveStep, entryId: string): string {
  return `${SCHEDULED_KEY_PREFIX}${step}:${entryId}`;
}

/** The moves due on `asOf` that have not been made, oldest first. */
export async function listMovesDue(db: Statements, rules: Readonly<Record<ListMoveStep, ListMoveRule>>, asOf: string): Promise<ListMove[]> {
  const toSerious = rules.ABNORMAL_TO_SERIOUS;
  const ended = rules.SERIOUS_TERM_ENDED;
  // An abnormal-operations entry still standing, listed long enough ago, whose move has not been
  // made: not by the scheduler (its key), nor otherwise — the enterprise has not been on the
  // serious-violation list since this abnormal listing began (one move per stay on the abnormal
  // list, however many entries it has there), and is not on it now.
  const abnormal = await db.query<Row>(
    'market_abnormal_operations',
    `SELECT a.entry_id, a.version, a.uscc, a.authority, a.listed_on::text AS listed_on
       FROM market_abnormal_operations a
      WHERE a.superseded_at IS NULL AND a.removed_on IS NULL AND (a.listed_on + make_interval(months => $4::int))::date < $1::date
        AND NOT EXISTS (SELECT 1 FROM credit_writes w WHERE w.recorded_by = $2 AND w.idempotency_key = $3 || a.entry_id::text)
        AND NOT EXISTS (SELECT 1 FROM market_serious_violations s
                         WHERE s.uscc = a.uscc AND s.superseded_at IS NULL AND (s.removed_on IS NULL OR s.listed_on >= a.listed_on))
      ORDER BY a.listed_on, a.entry_id
      LIMIT ${BATCH}`,
    [asOf, SCHEDULER, `${SCHEDULED_KEY_PREFIX}ABNORMAL_TO_SERIOUS:`, toSerious.afterMonths],
  );
  // A serious-violation entry still standing, listed long enough ago.
  const serious = await db.query<Row>(
    'market_serious_violations',
    `SELECT entry_id, version, uscc, authority, listed_on::text AS listed_on
       FROM market_serious_violations
      WHERE superseded_at IS NULL AND removed_on IS NULL AND (listed_on + make_interval(months => $2::int))::date < $1::date
      ORDER BY listed_on, entry_id
      LIMIT ${BATCH}`,
    [asOf, ended.afterMonths],
  );
  const move =
    (step: ListMoveStep, rule: ListMoveRule) =>
    (r: Row): ListMove => ({
      step,
      uscc: r.uscc,
      entryId: r.entry_id,
      version: r.version,
      authority: r.authority,
      listedOn: r.listed_on,
      due: moveDue(r.listed_on, rule),
      reason: rule.reason,
      basis: rule.source,
    });
  return [...abnormal.map(move('ABNORMAL_TO_SERIOUS', toSerious)), ...serious.map(move('SERIOUS_TERM_ENDED', ended))];
}

interface Row {
  readonly entry_id: string;
  readonly version: number;
  readonly uscc: string;
  readonly authority: string;
  readonly listed_on: string;
}
