/**
 * The tax subgraph's scheduled step: a case on the list of major tax violations leaves the list the
 * day after its publicity period has run (three years from its publication: SAT Order No. 54;
 * policies/meg/credit/data.json), recorded through the write path as the scheduler's own removal,
 * with its credit event — so the joint measures the listing caused at other agencies are lifted as
 * for an officer's removal — once however often, and on however many replicas, it runs.
 */
import type { Database } from '../../platform/db/database.js';
import type { PublicityRules } from '../../platform/domain/publicity.js';
import { logger } from '../../platform/observability/logger.js';
import { addDays, addMonths } from '../../platform/time/calendarDate.js';
import type { Clock } from '../../platform/time/clock.js';
import { supersedeEntry } from '../runtime/entries.js';
import type { ScheduledStep } from '../runtime/scheduler.js';
import { SCHEDULED_DOCUMENT_PREFIX, SCHEDULED_KEY_PREFIX, type CreditWrites } from '../runtime/writes.js';
import { MAJOR_VIOLATIONS } from './data/TaxEntries.js';
import type { MajorViolationRow } from './data/TaxSource.js';

const STEP = 'MAJOR_TAX_TERM_ENDED';

/** How many cases are ended, at most, each time the scheduler runs (the rest wait for the next). */
const BATCH = 200;

/** The scheduler's step that ends the cases whose publicity period has run. */
export function majorViolationEndStep(db: Database, writes: CreditWrites, clock: Clock, publicity: PublicityRules): ScheduledStep {
  const period = publicity.periodOf('MAJOR_TAX_VIOLATION', 'SERIOUS');
  return {
    name: 'major tax violations ended',
    run: async () => {
      if (period.months === null) return 0;
      const due = await db.query<{ entry_id: string; version: number; uscc: string; authority: string | null; start: string }>(
        'tax_major_violations',
        `SELECT entry_id, version, uscc, authority, coalesce(published_on, listed_on)::text AS start
           FROM tax_major_violations
          WHERE superseded_at IS NULL AND removed_on IS NULL AND (coalesce(published_on, listed_on) + make_interval(months => $2::int))::date < $1::date
          ORDER BY start, entry_id
          LIMIT ${BATCH}`,
        [clock.today(), period.months],
      );
      let ended = 0;
      for (const c of due) {
        const removedOn = addDays(addMonths(c.start, period.months), 1);
        const entry = { entryId: c.entry_id, version: c.version };
        try {
          await writes.recordScheduled<MajorViolationRow>(
            STEP,
            {
              mutation: 'removeMajorTaxViolation',
              uscc: c.uscc,
              decision: { authority: c.authority ?? '国家税务总局', documentNo: `${SCHEDULED_DOCUMENT_PREFIX}${STEP}/${c.entry_id}`, legalBasis: period.source, decidedOn: removedOn },
              idempotencyKey: `${SCHEDULED_KEY_PREFIX}${STEP}:${c.entry_id}`,
              input: { uscc: c.uscc, entry },
            },
            async (tx, write) => {
              const target = { uscc: c.uscc, seen: entry, path: 'input.entry', standing: { column: 'removed_on', done: 'removed', since: 'listed_on' } };
              const removed = await supersedeEntry<MajorViolationRow>(tx, MAJOR_VIOLATIONS, target, { removed_on: removedOn }, write);
              return { entry: removed, kind: 'major_tax_violation_removed', data: { scheduled: { step: STEP, fromEntryId: c.entry_id } } };
            },
          );
          ended++;
        } catch (error) {
          logger().warn({ step: STEP, entryId: c.entry_id, error: (error as Error).message }, 'scheduler: a major tax violation was not ended');
        }
      }
      return ended;
    },
  };
}

/** What the tax subgraph schedules. */
export function taxSchedule(runtime: { readonly db: Database; readonly writes: CreditWrites; readonly clock: Clock; readonly publicity: PublicityRules }): ScheduledStep[] {
  return [majorViolationEndStep(runtime.db, runtime.writes, runtime.clock, runtime.publicity)];
}
