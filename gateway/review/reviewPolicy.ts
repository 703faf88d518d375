/**
 * The compiled `meg.review` rules (policies/meg/review): joint punishment and incentive measures
 * for a matter, from the facts each agency answered with. A review that cannot be evaluated
 * fails with an error; it never turns into a PASS.
 */
import { readFileSync } from 'node:fs';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { AGENCIES, AGENCY_CODES, type AgencyCode } from '../../platform/domain/agencies.js';
import type { Matter } from '../../platform/domain/matters.js';
import { PolicyLoadError } from '../policy/accessPolicy.js';

export { MATTERS } from '../../platform/domain/matters.js';
export type { Matter };

/** The agencies a review asks, by their codes in the registry, in its order. */
export const REVIEW_AGENCIES = AGENCIES.map((agency) => AGENCY_CODES[agency]);

/** One agency of a review. */
export type ReviewAgency = AgencyCode;

/** A record behind a measure. */
export interface Evidence {
  readonly kind: string;
  readonly reference: string;
  readonly date: string | null;
  readonly detail: string;
  /** The first day the record is in force, where it has a period. */
  readonly inForceFrom?: string | null;
  /** When it stops counting (review_service.proto, Evidence.in_force_until); null while it has no end. */
  readonly inForceUntil?: string | null;
}

/** One measure that applies, with its rule, legal basis and evidence. */
export interface MeasureFinding {
  /** The agency whose facts call for it, or JOINT. */
  readonly agency: ReviewAgency | 'JOINT';
  readonly measure: 'PROHIBIT' | 'RESTRICT' | 'PRIORITY';
  readonly rule: string;
  readonly legalBasis: string;
  readonly evidence: readonly Evidence[];
}

/** A rule that applies to the matter but could not be applied: the caller may not see what it needs. */
export interface WithheldRule {
  /** The agency whose facts the rule reads, or JOINT for the green channel. */
  readonly agency: ReviewAgency | 'JOINT';
  readonly rule: string;
  /** The field coordinates the access policy withheld from the caller. */
  readonly coordinates: readonly string[];
}

/** Outcome of a review. */
export type Outcome = 'PASS' | 'PRIORITY' | 'RESTRICT' | 'PROHIBIT' | 'INCOMPLETE';

/** The facts of one enterprise, by agency key (market, tax, social, customs); null where the agency holds no record. */
export type Facts = Partial<Record<'market' | 'tax' | 'social' | 'customs', Record<string, unknown> | null>>;

const ENTRYPOINT = 'meg/review/decision';

/** The review rules, loaded. */
export class ReviewPolicy {
  private constructor(private readonly policy: LoadedPolicy) {}

  /** Loads the compiled rules, or throws a PolicyLoadError naming the file. */
  static async load(wasmFile: string): Promise<ReviewPolicy> {
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(readFileSync(wasmFile));
    } catch (error) {
      throw new PolicyLoadError(`the compiled policy at ${wasmFile} cannot be loaded: ${(error as Error).message}`);
    }
    if (!Object.hasOwn(policy.entrypoints as object, ENTRYPOINT)) {
      throw new PolicyLoadError(`the compiled policy at ${wasmFile} has no ${ENTRYPOINT} entrypoint`);
    }
    return new ReviewPolicy(policy);
  }

  /**
   * The measures, withheld rules and outcome for `matter` on the day `asOf`, given the facts of the
   * agencies that answered and the field coordinates the caller's access policy withheld (denied
   * or masked).
   */
  decide(
    matter: Matter,
    asOf: string,
    facts: Facts,
    unavailable: readonly ReviewAgency[],
    withheld: readonly string[] = [],
  ): { findings: MeasureFinding[]; withheld: WithheldRule[]; outcome: Outcome } {
    const result = this.policy.evaluate({ matter, asOf, facts, unavailable, withheld }, ENTRYPOINT) as {
      result?: { findings?: MeasureFinding[]; withheld?: WithheldRule[]; outcome?: Outcome; error?: string };
    }[];
    const decision = result?.[0]?.result;
    if (!decision || decision.error || !decision.outcome || !Array.isArray(decision.findings) || !Array.isArray(decision.withheld)) {
      throw new Error(`the review policy did not decide: ${decision?.error ?? 'no result'}`);
    }
    const order = { PROHIBIT: 0, RESTRICT: 1, PRIORITY: 2 };
    return {
      findings: [...decision.findings].sort((a, b) => order[a.measure] - order[b.measure] || a.rule.localeCompare(b.rule)),
      withheld: [...decision.withheld].sort((a, b) => a.agency.localeCompare(b.agency) || a.rule.localeCompare(b.rule)),
      outcome: decision.outcome,
    };
  }
}
