/**
 * When a synthetic licensing or penalty decision was published (双公示): most on time, some late by
 * a few working days or weeks, a few never, so that the compliance report has each case to show.
 * Drawn from a stream of its own, so that adding it changed no other record of the universe.
 */
import { PUBLICATION_RULE } from '../publication.js';
import { WorkingDayCalendar } from '../../time/workingDays.js';
import { Random } from './random.js';
import { UNIVERSE_TODAY } from './universe.js';

/** The official calendar, read once the first decision needs it. */
let calendar: WorkingDayCalendar | undefined;

/** Shares of decisions published late and never. */
const LATE = 0.08;
const NEVER = 0.03;

/** The day the decision `which` of `stream` (e.g. `market-penalty-2`) of enterprise `index` was published, or null. */
export function seededPublication(seed: string, index: number, stream: string, decidedOn: string): string | null {
  calendar ??= WorkingDayCalendar.official();
  // Before the rule (2015) there was no deadline to keep: such a decision was published with it.
  if (decidedOn < PUBLICATION_RULE.since) return decidedOn;
  const rng = Random.for(seed, index, `publication:${stream}`);
  const roll = rng.next();
  if (roll < NEVER) return null;
  const days = roll < NEVER + LATE ? PUBLICATION_RULE.workingDays + rng.weighted(LATENESS) : rng.int(0, PUBLICATION_RULE.workingDays);
  const published = calendar.addWorkingDays(decidedOn, days);
  // Seen from the universe's today, a publication after it has not happened yet.
  return published <= UNIVERSE_TODAY ? published : null;
}

/** Working days past the deadline of a late publication: mostly a few, some weeks. */
const LATENESS: readonly (readonly [number, number])[] = [
  [1, 30],
  [2, 20],
  [3, 15],
  [5, 15],
  [10, 10],
  [20, 7],
  [45, 3],
];
