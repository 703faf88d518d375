/** Social security's records, read in batches per request. */
import type DataLoader from 'dataloader';
import type { EntryVersion } from '../../runtime/entries.js';
import { CONTRIBUTION_ARREARS } from './SocialEntries.js';
import { PagedList, rowByUscc, rowsByUscc, type Page, type PagedListSpec } from '../../runtime/batch.js';
import { prefetch } from '../../runtime/lookahead.js';
import type { CursorSealer } from '../../../platform/trust/cursor.js';
import type { Statements } from '../../../platform/db/database.js';
import type { InsuranceType } from '../generated/types.js';

export interface EmployerRow {
  uscc: string;
  employer_no: string;
  registered_on: string;
}
export interface HeadcountRow {
  uscc: string;
  month: string;
  insured: number;
}
export interface ContributionArrearRow extends EntryVersion {
  uscc: string;
  insurance_type: InsuranceType;
  amount: string;
  months: number;
  since: string;
  settled_on: string | null;
}
export interface EmployeeRow {
  uscc: string;
  name: string;
  id_number: string;
  insured_since: string;
}

const EMPLOYEES: PagedListSpec = {
  table: 'social_employees',
  select: 'uscc, name, id_number, insured_since::text AS insured_since',
  orderBy: [
    ['name', 'text'],
    ['id_number', 'text'],
  ],
  direction: 'ASC',
};

/** Social security's data for one request. */
export class SocialSource {
  private readonly employers: DataLoader<string, EmployerRow | null>;
  private readonly headcounts: DataLoader<string, HeadcountRow[]>;
  private readonly arrears: DataLoader<string, ContributionArrearRow[]>;
  private readonly employees: PagedList<EmployeeRow>;
  private readonly lists: ReadonlyMap<string, DataLoader<string, unknown>>;

  constructor(db: Statements, cursors: CursorSealer) {
    this.employees = new PagedList(db, cursors, EMPLOYEES);
    this.employers = rowByUscc(db, 'social_employers', `SELECT uscc, employer_no, registered_on::text AS registered_on FROM social_employers WHERE uscc = ANY($1)`);
    this.headcounts = rowsByUscc(db, 'social_headcounts', `SELECT uscc, month, insured FROM social_headcounts WHERE uscc = ANY($1) ORDER BY month DESC`);
    this.arrears = rowsByUscc(db, 'social_arrears', `SELECT ${CONTRIBUTION_ARREARS.select} FROM social_arrears WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY since DESC, insurance_type`);
    this.lists = new Map<string, DataLoader<string, unknown>>([
      ['insuredHeadcount', this.headcounts],
      ['headcountHistory', this.headcounts],
      ['arrears', this.arrears],
    ]);
  }

  /** Starts reading, for `uscc`, the lists among `fields` (SocialProfile's field names). */
  prefetchLists(uscc: string, fields: ReadonlySet<string>): void {
    prefetch(uscc, fields, this.lists);
  }

  /** The employer registration, or null when the enterprise is not registered as an employer. */
  employerOf(uscc: string): Promise<EmployerRow | null> {
    return this.employers.load(uscc);
  }

  /** Monthly insured headcount, newest month first. */
  headcountsOf(uscc: string): Promise<HeadcountRow[]> {
    return this.headcounts.load(uscc);
  }

  arrearsOf(uscc: string): Promise<ContributionArrearRow[]> {
    return this.arrears.load(uscc);
  }

  /** A page of insured employees by name; all enterprises asking for the same page share one statement. */
  employeesOf(uscc: string, first: number, after: string | null | undefined): Promise<Page<EmployeeRow>> {
    return this.employees.pageOf(uscc, first, after);
  }
}
