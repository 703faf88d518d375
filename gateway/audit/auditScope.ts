/**
 * What one request did, gathered while it runs so that its audit record can say it: every field
 * decision the policy made for it (for a joint review, those of each agency's fact query) and the
 * enterprises it touched.
 */
import type { FieldDecision } from '../policy/accessPolicy.js';
import type { RecordedDecision } from './auditLog.js';

/** The audit facts of one request. */
export class AuditScope {
  private readonly decided = new Map<string, RecordedDecision>();
  private readonly touched = new Set<string>();
  /** Notes the policy's decisions on an operation of this request. */
  addDecisions(decisions: ReadonlyMap<string, FieldDecision>): void {
    for (const [coordinate, d] of decisions) this.decided.set(coordinate, { coordinate, effect: d.effect, rule: d.rule });
  }

  /** Notes enterprises the request named or received. */
  touch(codes: Iterable<string>): void {
    for (const code of codes) this.touched.add(code);
  }

  /** The decisions, by coordinate. */
  decisions(): RecordedDecision[] {
    return [...this.decided.values()].sort((a, b) => a.coordinate.localeCompare(b.coordinate));
  }

  /** The enterprises, sorted. */
  enterprises(): string[] {
    return [...this.touched].sort();
  }
}
