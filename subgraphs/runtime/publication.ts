/**
 * Publication of licensing and penalty decisions (双公示). The State Council's opinions on using big
 * data to serve and supervise market entities (国办发〔2015〕51号, item 18) require licensing and
 * penalty decisions to be published within 7 working days of the decision; each agency keeps, for
 * every such decision, the day it was made and the day it was published, and answers for its own:
 *
 * - the compliance report of a period (on time, late by how many working days, still unpublished
 *   past the deadline, not yet due), per deciding authority, as the audit subgraph's
 *   `publicationCompliance` asks each agency for its part;
 * - a step of its scheduler that finds decisions passing their deadline unpublished and records a
 *   `publication_overdue` credit event for each, once (a row per decision in the same transaction
 *   as its event), however often and on however many replicas it runs.
 *
 * Deadlines are counted on the working-day calendar (platform/time/workingDays.ts); a deadline that
 * runs into a year the calendar does not know is reported as unknown, never guessed.
 */
import { randomUUID } from 'node:crypto';
import type { Database, Statements } from '../../platform/db/database.js';
import type { Agency } from '../../platform/domain/agencies.js';
import { PUBLICATION_RULE, checkPublicationQuery, type PublicationQuery } from '../../platform/domain/publication.js';
import { addDays } from '../../platform/time/calendarDate.js';
import type { Clock } from '../../platform/time/clock.js';
import { CalendarYearUnknownError, type WorkingDayCalendar } from '../../platform/time/workingDays.js';
import { recordCreditEvent, type OutboxRow } from './outbox.js';

/** The most cases one report lists. */
export const MAX_CASES = 100;

/** Decisions of one kind the scheduler's step looks at, at most, each time it runs (the rest wait for the next). */
const OVERDUE_BATCH = 500;

/** The kinds of decision published under 双公示 (the `DecisionKind` enum of agency.graphql). */
export type DecisionKind = 'ADMINISTRATIVE_LICENCE' | 'ADMINISTRATIVE_PENALTY' | 'CUSTOMS_VIOLATION' | 'MAJOR_TAX_VIOLATION';

/**
 * One kind of an agency's decisions that must be published: the table of its versioned entries
 * (entries.ts), which holds `authority` and `published_on`, and the columns of its number and date.
 */
export interface PublishedDecisions {
  readonly kind: DecisionKind;
  readonly table: string;
  /** The column of the decision's number. */
  readonly decisionNo: string;
  /** The column of the day it was decided. */
  readonly decidedOn: string;
  /** The GraphQL type of the entry, as credit events name it (`AdministrativePenalty`). */
  readonly entryType: string;
}

/** Where a decision's publication stands. */
export type PublicationStatus = 'ON_TIME' | 'LATE' | 'PENDING' | 'OVERDUE' | 'DEADLINE_UNKNOWN';

/** A decision's publication against its deadline, as of a day. */
export interface PublicationTiming {
  /** The last day it could be published on time; null when the calendar cannot count it. */
  readonly deadline: string | null;
  readonly status: PublicationStatus;
  /** Working days past the deadline: to publication if late, to the day asked if overdue; 0 otherwise; null if uncountable. */
  readonly workingDaysLate: number | null;
  /** Why something could not be counted. */
  readonly problem: string | null;
}

/**
 * Where the publication of a decision made on `decidedOn` stands on `asOf`: a publication after
 * `asOf` counts as not yet made.
 */
export function publicationTiming(decidedOn: string, publishedOn: string | null, asOf: string, calendar: WorkingDayCalendar): PublicationTiming {
  let deadline: string;
  try {
    deadline = calendar.addWorkingDays(decidedOn, PUBLICATION_RULE.workingDays);
  } catch (error) {
    if (error instanceof CalendarYearUnknownError) return { deadline: null, status: 'DEADLINE_UNKNOWN', workingDaysLate: null, problem: error.message };
    throw error;
  }
  const published = publishedOn !== null && publishedOn <= asOf ? publishedOn : null;
  if (published !== null && published <= deadline) return { deadline, status: 'ON_TIME', workingDaysLate: 0, problem: null };
  if (published === null && asOf <= deadline) return { deadline, status: 'PENDING', workingDaysLate: 0, problem: null };
  const status = published === null ? 'OVERDUE' : 'LATE';
  try {
    return { deadline, status, workingDaysLate: calendar.workingDaysBetween(deadline, published ?? asOf), problem: null };
  } catch (error) {
    if (error instanceof CalendarYearUnknownError) return { deadline, status, workingDaysLate: null, problem: error.message };
    throw error;
  }
}

/** Counts of decisions by where their publication stands. */
export interface PublicationCounts {
  decisions: number;
  onTime: number;
  late: number;
  overdue: number;
  pending: number;
  deadlineUnknown: number;
}

/** One decision in a report. */
export interface PublicationCase extends PublicationTiming {
  readonly kind: DecisionKind;
  readonly entryId: string;
  readonly uscc: string;
  readonly decisionNo: string;
  readonly authority: string | null;
  readonly decidedOn: string;
  readonly publishedOn: string | null;
}

/** One agency's report: its counts, per authority, and the decisions that were not on time. */
export interface AgencyPublicationReport extends PublicationCounts {
  readonly agency: Agency;
  readonly authorities: (PublicationCounts & { readonly authority: string | null })[];
  /** Overdue first, then late and unknown, the most working days late first. */
  readonly cases: readonly PublicationCase[];
}

/** One agency's decisions that must be published, their reports and their overdue step. */
export class PublicationRegister {
  constructor(
    private readonly agency: Agency,
    private readonly kinds: readonly PublishedDecisions[],
    private readonly calendar: WorkingDayCalendar,
  ) {}

  /** The agency's report for `query`, read through `db`. */
  async report(db: Statements, query: PublicationQuery): Promise<AgencyPublicationReport> {
    checkPublicationQuery(query);
    // A decision made after the day asked about did not exist yet; one made before the rule had no deadline.
    const to = query.to < query.asOf ? query.to : query.asOf;
    const from = query.from > PUBLICATION_RULE.since ? query.from : PUBLICATION_RULE.since;
    const total = counts();
    const byAuthority = new Map<string | null, PublicationCounts>();
    const cases: PublicationCase[] = [];
    for (const kind of this.kinds) {
      const rows = await db.query<DecisionRow>(
        kind.table,
        `SELECT entry_id, uscc, ${kind.decisionNo} AS decision_no, authority, ${kind.decidedOn}::text AS decided_on, published_on::text AS published_on
         FROM ${kind.table}
         WHERE superseded_at IS NULL AND ${kind.decidedOn} BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR authority = $3::text)`,
        [from, to, query.authority],
      );
      for (const row of rows) {
        const timing = publicationTiming(row.decided_on, row.published_on, query.asOf, this.calendar);
        count(total, timing.status);
        let authority = byAuthority.get(row.authority);
        if (!authority) byAuthority.set(row.authority, (authority = counts()));
        count(authority, timing.status);
        if (timing.status === 'ON_TIME' || timing.status === 'PENDING') continue;
        cases.push({
          kind: kind.kind,
          entryId: row.entry_id,
          uscc: row.uscc,
          decisionNo: row.decision_no,
          authority: row.authority,
          decidedOn: row.decided_on,
          publishedOn: row.published_on && row.published_on <= query.asOf ? row.published_on : null,
          ...timing,
        });
      }
    }
    const authorities = [...byAuthority]
      .map(([authority, c]) => ({ authority, ...c }))
      .sort((a, b) => b.overdue - a.overdue || b.late - a.late || String(a.authority).localeCompare(String(b.authority)));
    cases.sort(worstFirst);
    return { agency: this.agency, ...total, authorities, cases: cases.slice(0, MAX_CASES) };
  }

  /**
   * One step of the scheduler: every decision that is, on `today`, past its deadline and still
   * unpublished, and has not been found so before, gets its `publication_overdue` event, recorded
   * with a row that says it was found, in one transaction. A replica that finds the same decision
   * at the same time writes nothing (the row's key is the decision's entry). Answers how many it
   * recorded; `committed` is told of each event (the outbox relay's hand-off).
   */
  async findOverdue(db: Database, clock: Clock, committed?: (row: OutboxRow) => void): Promise<number> {
    const today = clock.today();
    // Seven working days are at least seven calendar days: nothing decided since is overdue yet.
    const latest = addDays(today, -PUBLICATION_RULE.workingDays);
    const earliest = PUBLICATION_RULE.since;
    let found = 0;
    for (const kind of this.kinds) {
      const rows = await db.query<DecisionRow & { version: number }>(
        kind.table,
        `SELECT d.entry_id, d.version, d.uscc, ${kind.decisionNo} AS decision_no, d.authority, ${kind.decidedOn}::text AS decided_on, NULL AS published_on
         FROM ${kind.table} d
         WHERE d.superseded_at IS NULL AND d.published_on IS NULL AND ${kind.decidedOn} BETWEEN $2::date AND $1::date
           AND NOT EXISTS (SELECT 1 FROM publication_overdue o WHERE o.entry_id = d.entry_id)
         ORDER BY ${kind.decidedOn}, d.entry_id
         LIMIT ${OVERDUE_BATCH}`,
        [latest, earliest],
      );
      for (const row of rows) {
        const timing = publicationTiming(row.decided_on, null, today, this.calendar);
        if (timing.status !== 'OVERDUE' || timing.deadline === null) continue;
        const recorded = await db.transaction(async (tx) => {
          // Published since it was found (its current version then carries the day): nothing to tell.
          const unpublished = await tx.query(`SELECT 1 FROM ${kind.table} WHERE entry_id = $1 AND superseded_at IS NULL AND published_on IS NULL`, [row.entry_id]);
          if (unpublished.length === 0) return null;
          const now = clock.now();
          const eventId = randomUUID();
          const claimed = await tx.query(
            `INSERT INTO publication_overdue (entry_id, kind, deadline, found_on, event_id, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (entry_id) DO NOTHING RETURNING entry_id`,
            [row.entry_id, kind.kind, timing.deadline, today, eventId, now.toISOString()],
          );
          if (claimed.length === 0) return null;
          return recordCreditEvent(tx, {
            id: eventId,
            agency: this.agency,
            kind: 'publication_overdue',
            uscc: row.uscc,
            occurredAt: now.toISOString(),
            data: {
              entryType: kind.entryType,
              entryId: row.entry_id,
              version: row.version,
              decisionKind: kind.kind,
              decision: { authority: row.authority ?? '', documentNo: row.decision_no, legalBasis: PUBLICATION_RULE.basis, decidedOn: row.decided_on },
              deadline: timing.deadline,
              workingDaysLate: timing.workingDaysLate,
              foundOn: today,
            },
          });
        });
        if (recorded) {
          found++;
          committed?.(recorded);
        }
      }
    }
    return found;
  }
}

interface DecisionRow {
  readonly entry_id: string;
  readonly uscc: string;
  readonly decision_no: string;
  readonly authority: string | null;
  readonly decided_on: string;
  readonly published_on: string | null;
}

function counts(): PublicationCounts {
  return { decisions: 0, onTime: 0, late: 0, overdue: 0, pending: 0, deadlineUnknown: 0 };
}

function count(c: PublicationCounts, status: PublicationStatus): void {
  c.decisions++;
  if (status === 'ON_TIME') c.onTime++;
  else if (status === 'LATE') c.late++;
  else if (status === 'OVERDUE') c.overdue++;
  else if (status === 'PENDING') c.pending++;
  else c.deadlineUnknown++;
}

const STATUS_ORDER: Readonly<Record<PublicationStatus, number>> = { OVERDUE: 0, LATE: 1, DEADLINE_UNKNOWN: 2, PENDING: 3, ON_TIME: 4 };

function worstFirst(a: PublicationCase, b: PublicationCase): number {
  return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (b.workingDaysLate ?? 0) - (a.workingDaysLate ?? 0) || a.decidedOn.localeCompare(b.decidedOn) || a.entryId.localeCompare(b.entryId);
}
