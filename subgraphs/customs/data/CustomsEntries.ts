/**
 * Customs' versioned entries (subgraphs/runtime/entries.ts): what its reads select and what its
 * writes insert and supersede.
 */
import type { EntryTable } from '../../runtime/entries.js';
import type { PublishedDecisions } from '../../runtime/publication.js';

export const REGISTRATIONS: EntryTable = {
  table: 'customs_registrations',
  noun: 'customs registration',
  columns: { uscc: 'text', customs_code: 'text', registered_on: 'date', credit_level: 'text', credit_level_since: 'date' },
  select: 'entry_id, version, uscc, customs_code, registered_on::text AS registered_on, credit_level, credit_level_since::text AS credit_level_since',
  unique: { index: 'customs_registrations_current_uscc', path: 'input.uscc', describe: (v) => `a customs registration of ${String(v['uscc'])}` },
};

export const VIOLATIONS: EntryTable = {
  table: 'customs_violations',
  noun: 'customs violation',
  columns: { uscc: 'text', decision_no: 'text', decided_on: 'date', published_on: 'date', authority: 'text', nature: 'text', penalty_amount: 'numeric' },
  select: 'entry_id, version, uscc, decision_no, decided_on::text AS decided_on, published_on::text AS published_on, authority, nature, penalty_amount::text AS penalty_amount',
  unique: { index: 'customs_violations_current_decision_no', path: 'decision.documentNo', describe: (v) => `violation decision ${String(v['decision_no'])}` },
};

/** Customs' decisions published under 双公示: violation decisions. */
export const PUBLISHED_DECISIONS: readonly PublishedDecisions[] = [
  { kind: 'CUSTOMS_VIOLATION', table: VIOLATIONS.table, decisionNo: 'decision_no', decidedOn: 'decided_on', entryType: 'CustomsViolation' },
];
