/**
 * Social security's versioned entries (subgraphs/runtime/entries.ts): what its reads select and
 * what its writes insert and supersede.
 */
import type { EntryTable } from '../../runtime/entries.js';

export const CONTRIBUTION_ARREARS: EntryTable = {
  table: 'social_arrears',
  noun: 'contribution arrears entry',
  columns: { uscc: 'text', insurance_type: 'text', amount: 'numeric', months: 'integer', since: 'date', settled_on: 'date' },
  select: 'entry_id, version, uscc, insurance_type, amount::text AS amount, months, since::text AS since, settled_on::text AS settled_on',
  unique: { index: 'social_arrears_current', path: 'input.since', describe: (v) => `arrears of ${String(v['insurance_type'])} insurance since ${String(v['since'])}` },
};
