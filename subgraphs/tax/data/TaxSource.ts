/** The tax administration's records, read in batches per request. */
import type DataLoader from 'dataloader';
import type { EntryVersion } from '../../runtime/entries.js';
import { ARREARS, CREDIT_RATINGS, MAJOR_VIOLATIONS } from './TaxEntries.js';
import { rowByUscc, rowsByUscc } from '../../runtime/batch.js';
import { prefetch } from '../../runtime/lookahead.js';
import type { Statements } from '../../../platform/db/database.js';
import type { TaxCreditLevel, TaxpayerType } from '../generated/types.js';

export interface TaxpayerRow {
  uscc: string;
  taxpayer_type: TaxpayerType;
  registered_on: string;
  tax_authority: string;
}
export interface CreditRatingRow extends EntryVersion {
  uscc: string;
  year: number;
  rating: TaxCreditLevel;
  evaluated_on: string;
}
export interface TaxArrearRow extends EntryVersion {
  uscc: string;
  tax_type: string;
  amount: string;
  since: string;
  settled_on: string | null;
}
export interface MajorViolationRow extends EntryVersion {
  uscc: string;
  case_no: string;
  nature: string;
  amount: string;
  listed_on: string;
  published_on: string | null;
  authority: string | null;
  removed_on: string | null;
}
export interface FilingRow {
  uscc: string;
  period: string;
  filed_on: string;
  revenue: string;
  tax_paid: string;
}

/** The tax administration's data for one request. */
export class TaxSource {
  private readonly taxpayers: DataLoader<string, TaxpayerRow | null>;
  private readonly creditRatings: DataLoader<string, CreditRatingRow[]>;
  private readonly arrears: DataLoader<string, TaxArrearRow[]>;
  private readonly majorViolations: DataLoader<string, MajorViolationRow[]>;
  private readonly filings: DataLoader<string, FilingRow[]>;
  private readonly lists: ReadonlyMap<string, DataLoader<string, unknown>>;

  constructor(db: Statements) {
    this.taxpayers = rowByUscc(db, 'tax_taxpayers', `SELECT uscc, taxpayer_type, registered_on::text AS registered_on, tax_authority FROM tax_taxpayers WHERE uscc = ANY($1)`);
    this.creditRatings = rowsByUscc(db, 'tax_credit_ratings', `SELECT ${CREDIT_RATINGS.select} FROM tax_credit_ratings WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY year DESC`);
    this.arrears = rowsByUscc(db, 'tax_arrears', `SELECT ${ARREARS.select} FROM tax_arrears WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY since DESC, tax_type`);
    this.majorViolations = rowsByUscc(
      db,
      'tax_major_violations',
      `SELECT ${MAJOR_VIOLATIONS.select} FROM tax_major_violations WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY listed_on DESC, case_no DESC`,
    );
    this.filings = rowsByUscc(
      db,
      'tax_filings',
      `SELECT uscc, period, filed_on::text AS filed_on, revenue::text AS revenue, tax_paid::text AS tax_paid
         FROM tax_filings WHERE uscc = ANY($1) ORDER BY period DESC`,
    );
    this.lists = new Map<string, DataLoader<string, unknown>>([
      ['creditRatings', this.creditRatings],
      ['arrears', this.arrears],
      ['majorViolations', this.majorViolations],
      ['filings', this.filings],
    ]);
  }

  /** Starts reading, for `uscc`, the lists among `fields` (TaxProfile's field names). */
  prefetchLists(uscc: string, fields: ReadonlySet<string>): void {
    prefetch(uscc, fields, this.lists);
  }

  /** The taxpayer registration, or null when the enterprise is not a registered taxpayer. */
  taxpayerOf(uscc: string): Promise<TaxpayerRow | null> {
    return this.taxpayers.load(uscc);
  }

  creditRatingsOf(uscc: string): Promise<CreditRatingRow[]> {
    return this.creditRatings.load(uscc);
  }

  arrearsOf(uscc: string): Promise<TaxArrearRow[]> {
    return this.arrears.load(uscc);
  }

  majorViolationsOf(uscc: string): Promise<MajorViolationRow[]> {
    return this.majorViolations.load(uscc);
  }

  filingsOf(uscc: string): Promise<FilingRow[]> {
    return this.filings.load(uscc);
  }
}
