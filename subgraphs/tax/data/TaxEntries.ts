/**
 * The tax administration's versioned entries (subgraphs/runtime/entries.ts): what its reads select
 * and what its writes insert and supersede, declared once per table.
 */
import type { EntryTable } from '../../runtime/entries.js';
import type { PublishedDecisions } from '../../runtime/publication.js';

export const CREDIT_RATINGS: EntryTable = {
  table: 'tax_credit_ratings',
  noun: 'tax credit rating',
  columns: { uscc: 'text', year: 'integer', rating: 'text', evaluated_on: 'date' },
  select: 'entry_id, version, uscc, year, rating, evaluated_on::text AS evaluated_on',
  unique: { index: 'tax_credit_ratings_current_year', path: 'input.year', describe: (v) => `a rating for ${String(v['year'])}` },
};

export const ARREARS: EntryTable = {
  table: 'tax_arrears',
  noun: 'tax arrears entry',
  columns: { uscc: 'text', tax_type: 'text', amount: 'numeric', since: 'date', settled_on: 'date' },
  select: 'entry_id, version, uscc, tax_type, amount::text AS amount, since::text AS since, settled_on::text AS settled_on',
  unique: { index: 'tax_arrears_current', path: 'input.since', describe: (v) => `arrears of ${String(v['tax_type'])} since ${String(v['since'])}` },
};

export const MAJOR_VIOLATIONS: EntryTable = {
  table: 'tax_major_violations',
  noun: 'major tax violation entry',
  columns: { uscc: 'text', case_no: 'text', nature: 'text', amount: 'numeric', listed_on: 'date', published_on: 'date', authority: 'text', removed_on: 'date' },
  select: 'entry_id, version, uscc, case_no, nature, amount::text AS amount, listed_on::text AS listed_on, published_on::text AS published_on, authority, removed_on::text AS removed_on',
  unique: { index: 'tax_major_violations_current_case_no', path: 'decision.documentNo', describe: (v) => `case ${String(v['case_no'])}` },
};

/** The tax administration's decisions published under 双公示: major tax violation cases (decided the day they are listed). */
export const PUBLISHED_DECISIONS: readonly PublishedDecisions[] = [
  { kind: 'MAJOR_TAX_VIOLATION', table: MAJOR_VIOLATIONS.table, decisionNo: 'case_no', decidedOn: 'listed_on', entryType: 'MajorTaxViolation' },
];
