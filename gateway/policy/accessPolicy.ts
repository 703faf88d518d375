/**
 * The compiled `meg.access` policy, evaluated in-process with OPA's wasm runtime over the
 * classification catalogue. It fails closed: a policy that cannot be loaded stops the gateway
 * from starting, and one that cannot be evaluated denies every field it was asked about.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { AGENCIES } from '../../platform/domain/agencies.js';
import { PUBLIC_RECORD, recordViewOf, type RecordViews } from '../../platform/domain/recordView.js';
import type { CatalogueEntry } from '../catalogue.js';

/** What the policy decides for one field. */
export type Effect = 'ALLOW' | 'MASK' | 'DENY';

/** The decision for one field coordinate, with the rule that made it and why. */
export interface FieldDecision {
  readonly effect: Effect;
  /** Name of the deciding rule in policies/meg/access/access.rego. */
  readonly rule: string;
  /** Why, in words a person can read. */
  readonly reason: string;
  /** For MASK: how the value is shown. */
  readonly mask?: string;
}

/** Who is asking, as established from the verified token (or the public). */
export interface Principal {
  readonly sub: string;
  /** The caller's agency or government body; null for the public. */
  readonly agency: string | null;
  readonly roles: readonly string[];
  readonly region: string | null;
  /** The purposes the token grants. */
  readonly purposes: readonly string[];
  /** True for a caller without a token. */
  readonly public: boolean;
}

/** The policy could not be loaded: the gateway must not start. */
export class PolicyLoadError extends Error {
  override readonly name = 'PolicyLoadError';
}

const ENTRYPOINT = 'meg/access/decisions';
const WRITE_ENTRYPOINT = 'meg/write/decision';
const RECORD_VIEWS_ENTRYPOINT = 'meg/access/record_views';

/** How many callers' record views are remembered (one per principal's attributes and purpose). */
const RECORD_VIEWS_CACHED = 10_000;

/** The access policy with its data, ready to decide. */
export class AccessPolicy {
  private constructor(
    private readonly policy: LoadedPolicy,
    /** The catalogue the policy reads, by coordinate. */
    readonly catalogue: ReadonlyMap<string, CatalogueEntry>,
    /** SHA-256 of the compiled policy and its catalogue: which policy made a decision. */
    readonly revision: string,
  ) {}

  /** Record views already decided, by principal's attributes and purpose. */
  private readonly views = new Map<string, RecordViews>();

  /** Loads the compiled policy and the catalogue, or throws a PolicyLoadError that says which is at fault. */
  static async load(wasmFile: string, catalogueFile: string): Promise<AccessPolicy> {
    const wasm = readOrFail(wasmFile, 'compiled policy');
    const catalogueText = readOrFail(catalogueFile, 'classification catalogue').toString('utf8');
    let entries: CatalogueEntry[];
    try {
      entries = JSON.parse(catalogueText) as CatalogueEntry[];
      if (!Array.isArray(entries) || entries.some((e) => typeof e.coordinate !== 'string')) throw new Error('not a list of entries');
    } catch (error) {
      throw new PolicyLoadError(`the classification catalogue at ${catalogueFile} is corrupt: ${(error as Error).message}`);
    }
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(wasm);
    } catch (error) {
      throw new PolicyLoadError(`the compiled policy at ${wasmFile} cannot be loaded: ${(error as Error).message}`);
    }
    for (const entrypoint of [ENTRYPOINT, WRITE_ENTRYPOINT, RECORD_VIEWS_ENTRYPOINT]) {
      if (!Object.hasOwn(policy.entrypoints as object, entrypoint)) throw new PolicyLoadError(`the compiled policy at ${wasmFile} has no ${entrypoint} entrypoint`);
    }
    const catalogue = new Map(entries.map((e) => [e.coordinate, e]));
    policy.setData({ meg: { catalogue: Object.fromEntries(catalogue) } });
    const revision = createHash('sha256').update(wasm).update(catalogueText).digest('hex');
    const loaded = new AccessPolicy(policy, catalogue, revision);
    // A policy that loads but cannot evaluate is as good as none.
    const probe = loaded.evaluate({ sub: 'probe', agency: null, roles: [], region: null, purposes: [], public: true }, null, []);
    if (probe === null) throw new PolicyLoadError(`the compiled policy at ${wasmFile} does not evaluate`);
    return loaded;
  }

  /**
   * Decides every coordinate for the principal acting for `purpose`. Never throws: if the
   * policy cannot be evaluated, or leaves a coordinate undecided, those fields are denied.
   */
  decide(principal: Principal, purpose: string | null, coordinates: readonly string[]): Map<string, FieldDecision> {
    const decided = this.evaluate(principal, purpose, coordinates);
    const out = new Map<string, FieldDecision>();
    for (const coordinate of coordinates) {
      const d = decided?.[coordinate];
      out.set(coordinate, isDecision(d) ? d : POLICY_ERROR);
    }
    return out;
  }

  /**
   * Decides whether the principal, acting for `purpose`, may run the mutation at `coordinate` on
   * the enterprise `uscc` (policies/meg/write). Never throws: a policy that cannot decide denies.
   */
  decideWrite(principal: Principal, purpose: string | null, coordinate: string, uscc: string | null): FieldDecision {
    try {
      const result = this.policy.evaluate({ principal, purpose, coordinate, uscc }, WRITE_ENTRYPOINT) as { result?: unknown }[];
      const decision = result?.[0]?.result;
      return isDecision(decision) && decision.effect !== 'MASK' ? decision : WRITE_POLICY_ERROR;
    } catch {
      return WRITE_POLICY_ERROR;
    }
  }

  /**
   * Which entries of each agency's record the principal sees, acting for `purpose`
   * (platform/domain/recordView.ts), remembered per principal's attributes and purpose. Never
   * throws: a policy that cannot decide gives the public's view.
   */
  recordViews(principal: Principal, purpose: string | null): RecordViews {
    const key = JSON.stringify([principal.public, principal.agency, [...principal.roles].sort(), principal.region, purpose]);
    let views = this.views.get(key);
    if (!views) {
      views = PUBLIC_RECORD;
      try {
        const result = this.policy.evaluate({ principal, purpose }, RECORD_VIEWS_ENTRYPOINT) as { result?: unknown }[];
        const decided = result?.[0]?.result;
        views = Object.fromEntries(AGENCIES.map((agency) => [agency, recordViewOf(decided, agency)]));
      } catch {
        // The public's view, as for a policy that loads nothing.
      }
      if (this.views.size >= RECORD_VIEWS_CACHED) this.views.clear();
      this.views.set(key, views);
    }
    return views;
  }

  private evaluate(principal: Principal, purpose: string | null, coordinates: readonly string[]): Record<string, unknown> | null {
    try {
      const result = this.policy.evaluate({ principal, purpose, coordinates }, ENTRYPOINT) as { result?: unknown }[];
      const value = result?.[0]?.result;
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
}

/** What a field gets when the policy could not decide it. */
const POLICY_ERROR: FieldDecision = { effect: 'DENY', rule: 'policy_error', reason: 'the policy could not decide this field, so it is denied' };

/** What a write gets when the policy could not decide it. */
const WRITE_POLICY_ERROR: FieldDecision = { effect: 'DENY', rule: 'policy_error', reason: 'the policy could not decide this write, so nothing is written' };

function isDecision(value: unknown): value is FieldDecision {
  if (!value || typeof value !== 'object') return false;
  const d = value as Record<string, unknown>;
  if (d['effect'] === 'MASK') return typeof d['mask'] === 'string';
  return (d['effect'] === 'ALLOW' || d['effect'] === 'DENY') && typeof d['rule'] === 'string';
}

function readOrFail(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new PolicyLoadError(`cannot read the ${what} at ${file}; run \`make build\` to produce it`);
  }
}
