/**
 * What one request did, gathered while it runs so that its audit record can say it: every field
 * decision the policy made for it (for a joint review, those of each agency's fact query) and the
 * enterprises it touched.
 */
import type { FieldDecision } from '../policy/accessPolicy.js';
import type { RecordedDecision, RecordedWrite } from './auditLog.js';

/**
 * The recorded form of each decisions map the policy gave out. The policy's plans are cached, so
 * one map serves every request of one kind of caller for one operation: its recorded form (sorted,
 * frozen) is built once, and the access log writes its text once too (canonicalJson keeps the
 * text of what is deeply frozen).
 */
const recordedForms = new WeakMap<ReadonlyMap<string, FieldDecision>, readonly RecordedDecision[]>();

/** Decisions in their recorded order: by coordinate, as the locale compares them. */
function recordedForm(decided: Iterable<RecordedDecision>): readonly RecordedDecision[] {
  return Object.freeze([...decided].sort((a, b) => a.coordinate.localeCompare(b.coordinate)).map((d) => Object.freeze({ coordinate: d.coordinate, effect: d.effect, rule: d.rule })));
}

const NONE: readonly RecordedDecision[] = Object.freeze([]);
const NONE_WRITTEN: readonly RecordedWrite[] = Object.freeze([]);

/** The audit facts of one request. */
export class AuditScope {
  /** Each decisions map noted, in order (a joint review notes one per agency's query). */
  private readonly sources: ReadonlyMap<string, FieldDecision>[] = [];
  private readonly touched = new Set<string>();
  private written: readonly RecordedWrite[] = NONE_WRITTEN;
  /** Notes the policy's decisions on an operation of this request. */
  addDecisions(decisions: ReadonlyMap<string, FieldDecision>): void {
    this.sources.push(decisions);
  }

  /** Notes the writes a mutation asked for (and the enterprises they name). */
  noteWrites(writes: readonly RecordedWrite[]): void {
    this.written = [...this.written, ...writes];
    for (const w of writes) if (w.uscc) this.touched.add(w.uscc);
  }

  /** The writes noted, in the order asked. */
  writes(): readonly RecordedWrite[] {
    return this.written;
  }

  /** Notes enterprises the request named or received. */
  touch(codes: Iterable<string>): void {
    for (const code of codes) this.touched.add(code);
  }

  /** The decisions, by coordinate (a later decision on a coordinate replaces an earlier one). */
  decisions(): readonly RecordedDecision[] {
    const [only] = this.sources;
    if (only === undefined) return NONE;
    if (this.sources.length === 1) {
      let form = recordedForms.get(only);
      if (!form) recordedForms.set(only, (form = recordedForm(asRecorded(only).values())));
      return form;
    }
    const merged = new Map<string, RecordedDecision>();
    for (const source of this.sources) for (const [coordinate, d] of asRecorded(source)) merged.set(coordinate, d);
    return recordedForm(merged.values());
  }

  /** The enterprises, sorted. */
  enterprises(): string[] {
    return [...this.touched].sort();
  }
}

/** A decisions map as recorded decisions, by coordinate. */
function asRecorded(decisions: ReadonlyMap<string, FieldDecision>): Map<string, RecordedDecision> {
  const recorded = new Map<string, RecordedDecision>();
  for (const [coordinate, d] of decisions) recorded.set(coordinate, { coordinate, effect: d.effect, rule: d.rule });
  return recorded;
}
