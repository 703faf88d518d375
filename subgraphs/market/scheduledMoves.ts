/**
 * The market subgraph's scheduled list moves (data/ListMoves.ts): each due move is recorded
 * through the agency's write path as its scheduler's own write — a listing on, or a removal from,
 * the serious-violation list, with its provenance and its credit event (so the other agencies'
 * joint measures follow it as they follow an officer's) — under a key derived from the entry it
 * acts on, so that it is made once however often, and on however many replicas, the step runs.
 */
import type { Database } from '../../platform/db/database.js';
import type { ListMoveRule, ListMoveStep } from '../../platform/domain/publicity.js';
import { logger } from '../../platform/observability/logger.js';
import type { Clock } from '../../platform/time/clock.js';
import { insertEntry, supersedeEntry } from '../runtime/entries.js';
import type { ScheduledStep } from '../runtime/scheduler.js';
import { SCHEDULED_DOCUMENT_PREFIX, type CreditWrites, type DecisionInput } from '../runtime/writes.js';
import { SERIOUS_VIOLATIONS } from './data/MarketEntries.js';
import type { SeriousViolationRow } from './data/MarketSource.js';
import { listMovesDue, moveKey, type ListMove } from './data/ListMoves.js';

/** The scheduler's step that makes the list moves due today. */
export function listMoveStep(db: Database, writes: CreditWrites, clock: Clock, rules: Readonly<Record<ListMoveStep, ListMoveRule>>): ScheduledStep {
  return {
    name: 'list moves',
    run: async () => {
      let made = 0;
      for (const move of await listMovesDue(db, rules, clock.today())) {
        try {
          await makeMove(writes, move);
          made++;
        } catch (error) {
          // One move that cannot be made (an officer removed the entry meanwhile) does not hold up the others.
          logger().warn({ step: move.step, entryId: move.entryId, error: (error as Error).message }, 'scheduler: a list move was not made');
        }
      }
      return made;
    },
  };
}

/** Records one move as the scheduler's write; throws when, by then, it is not to be made. */
export async function makeMove(writes: CreditWrites, move: ListMove): Promise<void> {
  const decision: DecisionInput = { authority: move.authority, documentNo: `${SCHEDULED_DOCUMENT_PREFIX}${move.step}/${move.entryId}`, legalBasis: move.basis, decidedOn: move.due };
  const from = { entryId: move.entryId, version: move.version };
  const scheduled = { step: move.step, fromEntryId: move.entryId };
  if (move.step === 'ABNORMAL_TO_SERIOUS') {
    await writes.recordScheduled<SeriousViolationRow>(
      move.step,
      { mutation: 'listSeriousViolation', uscc: move.uscc, decision, idempotencyKey: moveKey(move.step, move.entryId), input: { uscc: move.uscc, reason: move.reason, from } },
      async (tx, write) => {
        // Checked again under a lock on the enterprise, in the write's transaction: the abnormal entry
        // still standing (an officer may have removed it since it was found due), and the enterprise not
        // on the serious-violation list (another of its abnormal entries may have moved it meanwhile).
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`serious-violation:${move.uscc}`]);
        const [stands] = await tx.query<{ standing: boolean; listed: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM market_abnormal_operations WHERE entry_id = $1 AND superseded_at IS NULL AND removed_on IS NULL) AS standing,
                  EXISTS (SELECT 1 FROM market_serious_violations WHERE uscc = $2 AND superseded_at IS NULL AND removed_on IS NULL) AS listed`,
          [move.entryId, move.uscc],
        );
        if (!stands?.standing) throw new Error(`the abnormal-operations entry ${move.entryId} no longer stands`);
        if (stands.listed) throw new Error(`${move.uscc} is already on the serious-violation list`);
        const values = { uscc: move.uscc, decision_no: decision.documentNo, reason: move.reason, listed_on: move.due, authority: move.authority, removed_on: null };
        return { entry: await insertEntry<SeriousViolationRow>(tx, SERIOUS_VIOLATIONS, values, write.writeId), kind: 'serious_violation_listed', data: { scheduled } };
      },
    );
    return;
  }
  await writes.recordScheduled<SeriousViolationRow>(
    move.step,
    { mutation: 'removeSeriousViolation', uscc: move.uscc, decision, idempotencyKey: moveKey(move.step, move.entryId), input: { uscc: move.uscc, entry: from } },
    async (tx, write) => {
      const target = { uscc: move.uscc, seen: from, path: 'input.entry', standing: { column: 'removed_on', done: 'removed', since: 'listed_on' } };
      return { entry: await supersedeEntry<SeriousViolationRow>(tx, SERIOUS_VIOLATIONS, target, { removed_on: move.due }, write), kind: 'serious_violation_removed', data: { scheduled } };
    },
  );
}

/** What the market subgraph schedules, given what every subgraph's scheduler is handed. */
export function marketSchedule(runtime: {
  readonly db: Database;
  readonly writes: CreditWrites;
  readonly clock: Clock;
  readonly moves: Readonly<Record<ListMoveStep, ListMoveRule>>;
}): ScheduledStep[] {
  return [listMoveStep(runtime.db, runtime.writes, runtime.clock, runtime.moves)];
}
