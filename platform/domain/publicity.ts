/**
 * How long each kind of credit entry stays public (公示期), and how grave it is, from the rules kept
 * as data with their legal sources in `policies/meg/credit/data.json` (the Rego repair rules read
 * the same file). An entry is public from its publication (a decision) or its listing (a list
 * entry) until its period runs out, it is removed from its list, or it is repaired; past that, the
 * public no longer sees it and agencies acting for a purpose that needs history see it marked.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/projectRoot.js';
import { addDays, addMonths } from '../time/calendarDate.js';

/** The kinds of entry with a publicity period. */
export type PublicityKind = 'ADMINISTRATIVE_PENALTY' | 'CUSTOMS_VIOLATION' | 'MAJOR_TAX_VIOLATION' | 'SERIOUS_VIOLATION' | 'ABNORMAL_OPERATION';

/** How grave an entry is, as its rules grade it. */
export type Severity = 'MINOR' | 'GENERAL' | 'SERIOUS';

/**
 * Where an entry's publicity stands on a day: `NOT_PUBLISHED` (a decision not yet published),
 * `PUBLIC`, or `ENDED` (its period ran out, or it was removed from its list).
 */
export type PublicityStatus = 'NOT_PUBLISHED' | 'PUBLIC' | 'ENDED';

/** The GraphQL type of each kind's entries, as reads and credit events name them. */
export const PUBLICITY_KIND_OF_TYPE: Readonly<Record<string, PublicityKind>> = {
  AdministrativePenalty: 'ADMINISTRATIVE_PENALTY',
  CustomsViolation: 'CUSTOMS_VIOLATION',
  MajorTaxViolation: 'MAJOR_TAX_VIOLATION',
  SeriousViolationEntry: 'SERIOUS_VIOLATION',
  AbnormalOperationEntry: 'ABNORMAL_OPERATION',
};

/** The file the rules are kept in. */
export const CREDIT_RULES_FILE = path.join(projectRoot, 'policies', 'meg', 'credit', 'data.json');

/** One grade of a kind: the severity, and what makes an entry that grave (all given must hold). */
interface SeverityRule {
  readonly severity: Severity;
  readonly categories?: readonly string[];
  readonly amountAtMost?: number;
  readonly natureContains?: string;
  readonly source: string;
}

/** The period of one grade: from the publication or the listing, for so many months (null: until removed). */
export interface PublicityPeriod {
  readonly from: 'published' | 'listed';
  readonly months: number | null;
  /** How long the entry must have been public before its repair can end it early. */
  readonly repairAfterMonths: number;
  readonly source: string;
}

interface KindRules {
  readonly severities: readonly SeverityRule[];
  readonly periods: Readonly<Partial<Record<Severity, PublicityPeriod>>>;
}

/** The facts of an entry its publicity is worked out from (columns as the agencies' tables name them). */
export interface PublicityFacts {
  readonly published_on?: string | null;
  readonly decided_on?: string | null;
  readonly listed_on?: string | null;
  readonly removed_on?: string | null;
  readonly category?: string | null;
  readonly amount?: string | number | null;
  readonly nature?: string | null;
}

/** An entry's grade and publicity on a day. */
export interface Publicity {
  readonly severity: Severity;
  /** The day it starts to be public: its publication or listing; null while a decision is unpublished. */
  readonly publicFrom: string | null;
  /**
   * The last day it is public — or, while a decision is unpublished, in force: its period's end
   * (counted from its publication or listing; from its decision while it is unpublished, so that an
   * unpublished decision does not weigh for ever), or the day before its removal; null while it has
   * no end yet.
   */
  readonly publicUntil: string | null;
  readonly status: PublicityStatus;
  /** The rule of its period, with its legal source. */
  readonly period: PublicityPeriod;
}

/** The rules of every kind, read and checked once. */
export class PublicityRules {
  private constructor(private readonly kinds: Readonly<Record<PublicityKind, KindRules>>) {}

  /** Reads the rules from `file` (default {@link CREDIT_RULES_FILE}); a malformed file is an error that says where. */
  static load(file: string = CREDIT_RULES_FILE): PublicityRules {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { publicity?: Record<string, KindRules> };
    const kinds = parsed.publicity ?? {};
    for (const kind of Object.values(PUBLICITY_KIND_OF_TYPE)) {
      const rules = kinds[kind];
      const severities: readonly SeverityRule[] = rules?.severities ?? [];
      if (!rules || severities.length === 0) throw new Error(`${file}: publicity.${kind} has no severities`);
      const last = severities.at(-1)!;
      if (last.categories || last.amountAtMost !== undefined || last.natureContains) throw new Error(`${file}: publicity.${kind}'s last severity must apply to every entry`);
      for (const s of severities) {
        const period = rules.periods[s.severity];
        if (!period) throw new Error(`${file}: publicity.${kind} has no period for ${s.severity}`);
        if (!period.source || (period.months !== null && !(Number.isInteger(period.months) && period.months > 0)))
          throw new Error(`${file}: publicity.${kind}.periods.${s.severity} needs a source and whole months (or null)`);
      }
    }
    return new PublicityRules(kinds as Record<PublicityKind, KindRules>);
  }

  /** The period of the entries of `kind` graded `severity`. */
  periodOf(kind: PublicityKind, severity: Severity): PublicityPeriod {
    const period = this.kinds[kind].periods[severity];
    if (!period) throw new Error(`no publicity period for ${kind} graded ${severity}`);
    return period;
  }

  /** How grave an entry of `kind` is. */
  severityOf(kind: PublicityKind, facts: PublicityFacts): Severity {
    const rule = this.kinds[kind].severities.find((s) => applies(s, facts));
    return (rule ?? this.kinds[kind].severities.at(-1)!).severity;
  }

  /** The entry's grade, period and publicity on `today`. */
  publicityOf(kind: PublicityKind, facts: PublicityFacts, today: string): Publicity {
    const severity = this.severityOf(kind, facts);
    const period = this.kinds[kind].periods[severity]!;
    const publicFrom = (period.from === 'published' ? facts.published_on : facts.listed_on) ?? null;
    const start = period.from === 'published' ? (facts.published_on ?? facts.decided_on ?? facts.listed_on ?? null) : publicFrom;
    // A period of months ends on the same day of its last month, or that month's last day (the first
    // day not counted: Civil Code arts. 201–202).
    let publicUntil: string | null = null;
    if (start !== null && period.months !== null) publicUntil = addMonths(start, period.months);
    // Removal from a list ends its publicity that day.
    if (facts.removed_on) {
      const lastDay = addDays(facts.removed_on, -1);
      if (publicUntil === null || lastDay < publicUntil) publicUntil = lastDay;
    }
    const status: PublicityStatus = publicUntil !== null && publicUntil < today ? 'ENDED' : publicFrom === null || publicFrom > today ? 'NOT_PUBLISHED' : 'PUBLIC';
    return { severity, publicFrom, publicUntil, status, period };
  }
}

function applies(rule: SeverityRule, facts: PublicityFacts): boolean {
  if (rule.categories && !(facts.category && rule.categories.includes(facts.category))) return false;
  if (rule.amountAtMost !== undefined && !(facts.amount !== null && facts.amount !== undefined && Number(facts.amount) <= rule.amountAtMost)) return false;
  if (rule.natureContains && !(facts.nature ?? '').includes(rule.natureContains)) return false;
  return true;
}

/** The moves between market regulation's lists that fall due with time. */
export type ListMoveStep = 'ABNORMAL_TO_SERIOUS' | 'SERIOUS_TERM_ENDED';

/** One move's rule: how long after the listing it falls due, the reason it gives, and its legal source. */
export interface ListMoveRule {
  readonly afterMonths: number;
  readonly reason: string;
  readonly source: string;
}

/**
 * The day a move falls due for an entry listed on `listedOn`: the day after its term of
 * `rule.afterMonths` months has run (the first day not counted, the term ends on the same day of its
 * last month: Civil Code arts. 201–202), as the entry's publicity ends on that last day.
 */
export function moveDue(listedOn: string, rule: Pick<ListMoveRule, 'afterMonths'>): string {
  return addDays(addMonths(listedOn, rule.afterMonths), 1);
}

/** The list moves' rules from `file` (default {@link CREDIT_RULES_FILE}). */
export function loadListMoveRules(file: string = CREDIT_RULES_FILE): Readonly<Record<ListMoveStep, ListMoveRule>> {
  const moves = (JSON.parse(readFileSync(file, 'utf8')) as { moves?: Partial<Record<ListMoveStep, ListMoveRule>> }).moves ?? {};
  for (const step of ['ABNORMAL_TO_SERIOUS', 'SERIOUS_TERM_ENDED'] as const) {
    const rule = moves[step];
    if (!rule || !Number.isInteger(rule.afterMonths) || rule.afterMonths <= 0 || !rule.reason || !rule.source) throw new Error(`${file}: moves.${step} needs afterMonths, a reason and a source`);
  }
  return moves as Record<ListMoveStep, ListMoveRule>;
}
