/**
 * Market regulation's versioned entries (subgraphs/runtime/entries.ts): what its reads select and
 * what its writes insert and supersede, declared once per table.
 */
import type { EntryTable } from '../../runtime/entries.js';
import type { PublishedDecisions } from '../../runtime/publication.js';

export const LICENCES: EntryTable = {
  table: 'market_licences',
  noun: 'licence',
  columns: { uscc: 'text', licence_no: 'text', decision_no: 'text', title: 'text', category: 'text', authority: 'text', granted_on: 'date', valid_until: 'date', published_on: 'date' },
  select: 'entry_id, version, uscc, licence_no, decision_no, title, category, authority, granted_on::text AS granted_on, valid_until::text AS valid_until, published_on::text AS published_on',
  unique: { index: 'market_licences_current_licence_no', path: 'input.licenceNo', describe: (v) => `licence ${String(v['licence_no'])}` },
};

export const PENALTIES: EntryTable = {
  table: 'market_penalties',
  noun: 'penalty',
  columns: { uscc: 'text', decision_no: 'text', decided_on: 'date', published_on: 'date', authority: 'text', category: 'text', cause: 'text', basis: 'text', result: 'text', amount: 'numeric' },
  select: 'entry_id, version, uscc, decision_no, decided_on::text AS decided_on, published_on::text AS published_on, authority, category, cause, basis, result, amount::text AS amount',
  unique: { index: 'market_penalties_current_decision_no', path: 'decision.documentNo', describe: (v) => `penalty decision ${String(v['decision_no'])} of ${String(v['authority'])}` },
};

export const ABNORMAL_OPERATIONS: EntryTable = {
  table: 'market_abnormal_operations',
  noun: 'abnormal-operations entry',
  columns: { uscc: 'text', reason: 'text', listed_on: 'date', authority: 'text', removed_on: 'date' },
  select: 'entry_id, version, uscc, reason, listed_on::text AS listed_on, authority, removed_on::text AS removed_on',
  unique: { index: 'market_abnormal_operations_current_listing', path: 'input.reason', describe: (v) => `a listing for ${String(v['reason'])} on ${String(v['listed_on'])}` },
};

export const SERIOUS_VIOLATIONS: EntryTable = {
  table: 'market_serious_violations',
  noun: 'serious-violation entry',
  columns: { uscc: 'text', decision_no: 'text', reason: 'text', listed_on: 'date', authority: 'text', removed_on: 'date' },
  select: 'entry_id, version, uscc, decision_no, reason, listed_on::text AS listed_on, authority, removed_on::text AS removed_on',
  unique: { index: 'market_serious_violations_current_decision_no', path: 'decision.documentNo', describe: (v) => `listing decision ${String(v['decision_no'])} of ${String(v['authority'])}` },
};

export const CREDIT_COMMITMENTS: EntryTable = {
  table: 'market_credit_commitments',
  noun: 'credit commitment',
  columns: { uscc: 'text', matter: 'text', committed_on: 'date', fulfilled: 'boolean' },
  select: 'entry_id, version, uscc, matter, committed_on::text AS committed_on, fulfilled',
  unique: { index: 'market_credit_commitments_current', path: 'input.matter', describe: (v) => `a commitment to ${String(v['matter'])} on ${String(v['committed_on'])}` },
};

/** Market regulation's decisions published under 双公示: licences and penalties. */
export const PUBLISHED_DECISIONS: readonly PublishedDecisions[] = [
  { kind: 'ADMINISTRATIVE_LICENCE', table: LICENCES.table, decisionNo: 'coalesce(decision_no, licence_no)', decidedOn: 'granted_on', entryType: 'AdministrativeLicence' },
  { kind: 'ADMINISTRATIVE_PENALTY', table: PENALTIES.table, decisionNo: 'decision_no', decidedOn: 'decided_on', entryType: 'AdministrativePenalty' },
];
