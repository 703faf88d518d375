/**
 * The joint review: for a matter and a list of enterprises, asks every agency at once — one
 * federated operation per agency, each planned as a single fetch through the gateway, under the
 * caller's own access policy — and applies the review rules to what comes back. An agency that
 * fails or does not answer before the deadline is UNAVAILABLE, and the verdict INCOMPLETE unless
 * another agency's finding already prohibits.
 */
import type { GraphQLFormattedError } from 'graphql';
import { AGENCY_REGISTRY, agencyOfCode } from '../../platform/domain/agencies.js';
import type { JointReviewCustomsFactsQuery, JointReviewMarketFactsQuery, JointReviewSocialFactsQuery, JointReviewTaxFactsQuery } from '../generated/graphql/operations.js';
import { chinaDate, dayNumber } from '../../platform/time/calendarDate.js';
import type { Clock } from '../../platform/time/clock.js';
import type { FieldDecision } from '../policy/accessPolicy.js';
import type { Facts, Matter, MeasureFinding, Outcome, ReviewAgency, ReviewPolicy, WithheldRule } from './reviewPolicy.js';
import { REVIEW_AGENCIES } from './reviewPolicy.js';

/** What one agency's part of a review found about one enterprise. */
export interface AgencyFinding {
  readonly uscc: string;
  readonly agency: ReviewAgency;
  /**
   * ANSWERED; UNAVAILABLE when the agency failed or did not answer in time; WITHHELD when it
   * answered but the caller's access policy keeps from the caller facts that a rule applying to
   * the matter needs, so that rule could not be applied.
   */
  readonly status: 'ANSWERED' | 'UNAVAILABLE' | 'WITHHELD';
  readonly measures: readonly MeasureFinding[];
  /** Why the agency is unavailable, or which facts the caller's policy withheld; empty otherwise. */
  readonly detail: string;
  /** For WITHHELD: the coordinates the rules needed and the caller may not see in clear. */
  readonly withheld: readonly string[];
}

/** The verdict on one enterprise. */
export interface Verdict {
  readonly uscc: string;
  readonly matter: Matter;
  readonly outcome: Outcome;
  readonly measures: readonly MeasureFinding[];
  readonly findings: readonly AgencyFinding[];
  readonly unavailable: readonly ReviewAgency[];
  /** The rules that could not be applied, their facts withheld from the caller (the verdict is then INCOMPLETE unless something prohibits). */
  readonly withheld: readonly WithheldRule[];
  readonly policyRevision: string;
  readonly reviewedAt: string;
  /** The day the review was made as of: only entries in force on it counted. */
  readonly asOf: string;
}

/**
 * Runs a GraphQL operation through the gateway's pipeline for the reviewing caller; the result
 * carries the access policy's decisions on the operation's fields, by coordinate.
 */
export type RunOperation = (
  query: string,
  variables: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[]; decisions?: ReadonlyMap<string, FieldDecision> }>;

/**
 * The answer to each agency's fact query, as generated from the query itself (make graphql-types):
 * one entry per code asked, with that agency's profile of the enterprise, or null.
 */
interface FactAnswers {
  readonly MARKET: JointReviewMarketFactsQuery;
  readonly TAX: JointReviewTaxFactsQuery;
  readonly SOCIAL: JointReviewSocialFactsQuery;
  readonly CUSTOMS: JointReviewCustomsFactsQuery;
}

/** One enterprise in an agency's answer. */
type FactEntry<A extends ReviewAgency> = FactAnswers[A]['enterprisesByCode'][number];

/** How one agency is asked: the key of its profile on Enterprise, its query, and how its answer becomes review facts (null where it holds no record). */
interface FactQuery<A extends ReviewAgency> {
  readonly key: 'market' | 'tax' | 'social' | 'customs';
  readonly query: string;
  readonly facts: (entry: FactEntry<A>) => Record<string, unknown> | null;
}

/**
 * What the rules read of a joint measure an agency took on another agency's credit event (its
 * `jointMeasures`): those in force restrict the matters they bear on and close the green channel.
 */
const JOINT_MEASURE_FACTS = /* GraphQL */ `
  fragment JointMeasureFacts on JointMeasure {
    measure
    description
    basis
    sourceAgency
    sourceKind
    sourceEventId
    effectiveFrom
    liftedOn
  }
`;

/** Per agency, its fact query; each is planned as one fetch to that agency. */
const FACT_QUERIES: { readonly [A in ReviewAgency]: FactQuery<A> } = {
  MARKET: {
    key: 'market',
    query: /* GraphQL */ `
      query JointReviewMarketFacts($uscc: [USCC!]!) {
        enterprisesByCode(uscc: $uscc) {
          uscc
          market {
            status
            abnormalOperations {
              reason
              listedOn
              removedOn
              publicUntil
              authority
            }
            seriousViolations {
              decisionNo
              reason
              listedOn
              removedOn
              publicUntil
              authority
            }
            jointMeasures {
              ...JointMeasureFacts
            }
          }
        }
      }
      ${JOINT_MEASURE_FACTS}
    `,
    facts: ({ market: p }) => (p ? { status: p.status, abnormalOperations: p.abnormalOperations, seriousViolations: p.seriousViolations, jointMeasures: measureDays(p.jointMeasures) } : null),
  },
  TAX: {
    key: 'tax',
    query: /* GraphQL */ `
      query JointReviewTaxFacts($uscc: [USCC!]!) {
        enterprisesByCode(uscc: $uscc) {
          uscc
          tax {
            creditRatings {
              year
              rating
              evaluatedOn
            }
            majorViolations {
              caseNo
              nature
              listedOn
              removedOn
              publicUntil
            }
            arrears {
              taxType
              amount
              since
              settledOn
            }
            jointMeasures {
              ...JointMeasureFacts
            }
          }
        }
      }
      ${JOINT_MEASURE_FACTS}
    `,
    facts: ({ tax: p }) => (p ? { ratings: p.creditRatings, majorViolations: p.majorViolations, arrears: p.arrears, jointMeasures: measureDays(p.jointMeasures) } : null),
  },
  SOCIAL: {
    key: 'social',
    query: /* GraphQL */ `
      query JointReviewSocialFacts($uscc: [USCC!]!) {
        enterprisesByCode(uscc: $uscc) {
          uscc
          social {
            arrears {
              insuranceType
              amount
              months
              since
              settledOn
            }
            jointMeasures {
              ...JointMeasureFacts
            }
          }
        }
      }
      ${JOINT_MEASURE_FACTS}
    `,
    facts: ({ social: p }) => (p ? { arrears: p.arrears, jointMeasures: measureDays(p.jointMeasures) } : null),
  },
  CUSTOMS: {
    key: 'customs',
    query: /* GraphQL */ `
      query JointReviewCustomsFacts($uscc: [USCC!]!) {
        enterprisesByCode(uscc: $uscc) {
          uscc
          customs {
            creditLevel
            creditLevelSince
            jointMeasures {
              ...JointMeasureFacts
            }
          }
        }
      }
      ${JOINT_MEASURE_FACTS}
    `,
    facts: ({ customs: p }) => (p ? { creditLevel: p.creditLevel, creditLevelSince: p.creditLevelSince, jointMeasures: measureDays(p.jointMeasures) } : null),
  },
};

/**
 * Joint measures with the days, in Beijing, they took effect and were lifted (`effectiveDay`,
 * `liftedDay`): the instants the agencies record are UTC, the review's day is Beijing's.
 */
function measureDays<M extends { readonly effectiveFrom?: string | null; readonly liftedOn?: string | null }>(measures: readonly M[] | null | undefined): unknown {
  if (!measures) return measures;
  const day = (instant: string | null | undefined) => (instant ? chinaDate(new Date(instant)) : null);
  return measures.map((m) => ({ ...m, effectiveDay: day(m.effectiveFrom), liftedDay: day(m.liftedOn) }));
}

/** The agency's name, as a sentence names it. */
const nameOf = (agency: ReviewAgency): string => AGENCY_REGISTRY[agencyOfCode(agency)!].name;

/** What one agency answered for the whole list. */
type AgencyAnswer =
  | {
      readonly agency: ReviewAgency;
      readonly answered: true;
      readonly facts: ReadonlyMap<string, Record<string, unknown> | null>;
      /** Coordinates of the facts asked for that the caller may not see in clear (denied or masked). */
      readonly withheld: readonly string[];
      /** Of those, the ones denied outright (reported even when no rule needs them). */
      readonly denied: readonly string[];
    }
  | { readonly agency: ReviewAgency; readonly answered: false; readonly reason: string };

/** A review's day is not one it can be made as of; the message says why. */
export class ReviewDayError extends Error {
  override readonly name = 'ReviewDayError';
}

/** The joint review over the gateway. */
export class ReviewService {
  constructor(
    private readonly policy: ReviewPolicy,
    private readonly policyRevision: string,
    private readonly clock: Clock,
  ) {}

  /**
   * The day a review is made as of: `asOf` (YYYY-MM-DD), or today on the gateway's clock when it is
   * empty. A day after today is refused: the record says what was in force, not what will be.
   */
  dayOf(asOf: string | null | undefined): string {
    const today = this.clock.today();
    if (asOf === null || asOf === undefined || asOf === '') return today;
    try {
      dayNumber(asOf);
    } catch (error) {
      throw new ReviewDayError(`as_of: ${(error as Error).message}`);
    }
    if (asOf > today) throw new ReviewDayError(`as_of: ${asOf} is after today (${today}): a review weighs the record as it stands`);
    return asOf;
  }

  /**
   * Reviews `codes` for `matter` as of the day `asOf` (the agencies are asked, through `run`, for
   * their record as of that day: the gateway's internal operation carries it). Every agency is asked at once; `onFinding` hears each agency's
   * finding for each enterprise as soon as that agency answered (or failed), before the verdicts.
   * `signal` is the deadline or cancellation of the whole review.
   */
  async review(codes: readonly string[], matter: Matter, asOf: string, run: RunOperation, signal: AbortSignal, onFinding?: (finding: AgencyFinding) => void): Promise<Verdict[]> {
    // Each agency's finding is worked out once: streamed as its answer arrives, then reused in
    // the verdict, so that after the slowest agency answers only its finding and the verdict remain.
    const known = new Map<string, AgencyFinding>();
    const findingFor = (answer: AgencyAnswer, uscc: string): AgencyFinding => {
      const key = `${answer.agency} ${uscc}`;
      let finding = known.get(key);
      if (finding === undefined) {
        finding = this.findingOf(answer, uscc, matter, asOf);
        known.set(key, finding);
      }
      return finding;
    };
    const answers = await Promise.all(
      REVIEW_AGENCIES.map(async (agency) => {
        const answer = await this.ask(agency, codes, run, signal);
        if (onFinding) for (const code of codes) onFinding(findingFor(answer, code));
        return answer;
      }),
    );
    const reviewedAt = new Date().toISOString();
    const withheld = [...new Set(answers.flatMap((a) => (a.answered ? a.withheld : [])))].sort();
    return codes.map((uscc) => {
      const facts: Facts = {};
      const unavailable: ReviewAgency[] = [];
      for (const answer of answers) {
        if (answer.answered) facts[FACT_QUERIES[answer.agency].key] = answer.facts.get(uscc) ?? null;
        else unavailable.push(answer.agency);
      }
      const decided = this.policy.decide(matter, asOf, facts, unavailable, withheld);
      return {
        uscc,
        matter,
        outcome: decided.outcome,
        measures: decided.findings,
        findings: answers.map((a) => findingFor(a, uscc)),
        unavailable,
        withheld: decided.withheld,
        policyRevision: this.policyRevision,
        reviewedAt,
        asOf,
      };
    });
  }

  /** One agency's finding on one enterprise: its own facts, and what the caller may not see of them, through the rules. */
  private findingOf(answer: AgencyAnswer, uscc: string, matter: Matter, asOf: string): AgencyFinding {
    if (!answer.answered) return { uscc, agency: answer.agency, status: 'UNAVAILABLE', measures: [], detail: answer.reason, withheld: [] };
    const decided = this.policy.decide(matter, asOf, { [FACT_QUERIES[answer.agency].key]: answer.facts.get(uscc) ?? null }, [], answer.withheld);
    const blocked = decided.withheld.filter((w) => w.agency === answer.agency);
    const coordinates = [...new Set(blocked.flatMap((w) => w.coordinates))].sort();
    const measures = decided.findings.filter((f) => f.agency === answer.agency);
    if (coordinates.length > 0) {
      const rules = blocked.map((w) => w.rule).join(', ');
      return {
        uscc,
        agency: answer.agency,
        status: 'WITHHELD',
        measures,
        detail: `the access policy withholds from this caller facts the rules (${rules}) need: ${coordinates.join(', ')}; the verdict cannot rest on them`,
        withheld: coordinates,
      };
    }
    return {
      uscc,
      agency: answer.agency,
      status: 'ANSWERED',
      measures,
      detail: answer.denied.length > 0 ? `withheld by the access policy for this caller (none of this agency's rules for this matter needs it): ${answer.denied.join(', ')}` : '',
      withheld: [],
    };
  }

  /** Asks one agency for its facts on every code, in one operation (planned as one fetch). */
  private async ask<A extends ReviewAgency>(agency: A, codes: readonly string[], run: RunOperation, signal: AbortSignal): Promise<AgencyAnswer> {
    const spec: FactQuery<A> = FACT_QUERIES[agency];
    let result: Awaited<ReturnType<RunOperation>>;
    try {
      result = await untilAborted(run(spec.query, { uscc: codes }, signal), signal);
    } catch (error) {
      const reason = signal.aborted ? 'did not answer before the deadline' : `failed: ${(error as Error).message}`;
      return { agency, answered: false, reason: `${nameOf(agency)} ${reason}` };
    }
    const failures = (result.errors ?? []).filter((e) => e.extensions?.['code'] !== 'FORBIDDEN_FIELD');
    // The gateway answered this query, so its data has the query's shape (the policy only nulls nullable fields).
    const list = (result.data as FactAnswers[A] | null | undefined)?.enterprisesByCode;
    if (failures.length > 0 || !Array.isArray(list)) {
      const code = failures[0]?.extensions?.['code'];
      return { agency, answered: false, reason: `${nameOf(agency)} did not answer${typeof code === 'string' ? ` (${code})` : ''}` };
    }
    // Fail closed: without the policy's decisions, every field the policy refused counts as withheld.
    const refused = (result.errors ?? []).map((e) => String(e.extensions?.['coordinate']));
    const decisions = [...(result.decisions ?? new Map<string, FieldDecision>())];
    const withheld = [...new Set([...refused, ...decisions.filter(([, d]) => d.effect !== 'ALLOW').map(([c]) => c)])].sort();
    // The fields the caller was refused, as it was told them (the topmost of each pruned branch).
    const denied = [...new Set(refused)].sort();
    const facts = new Map<string, Record<string, unknown> | null>();
    for (const entry of list as readonly FactEntry<A>[]) facts.set(entry.uscc, spec.facts(entry));
    return { agency, answered: true, facts, withheld, denied };
  }
}

/** Settles with `promise`, or rejects as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
