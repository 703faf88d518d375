/** Customs records, read in batches per request. */
import type DataLoader from 'dataloader';
import type { EntryVersion } from '../../runtime/entries.js';
import { REGISTRATIONS, VIOLATIONS } from './CustomsEntries.js';
import { PagedList, rowByUscc, rowsByUscc, type Page, type PagedListSpec } from '../../runtime/batch.js';
import { prefetch } from '../../runtime/lookahead.js';
import type { CursorSealer } from '../../../platform/trust/cursor.js';
import type { Statements } from '../../../platform/db/database.js';
import type { CustomsCreditLevel, TradeDirection } from '../generated/types.js';

export interface CustomsRegistrationRow extends EntryVersion {
  uscc: string;
  customs_code: string;
  registered_on: string;
  credit_level: CustomsCreditLevel;
  credit_level_since: string;
}
export interface DeclarationRow {
  uscc: string;
  entry_no: string;
  declared_on: string;
  direction: TradeDirection;
  hs_code: string;
  value: string;
  trade_mode: string;
  port: string;
}
export interface CustomsViolationRow extends EntryVersion {
  uscc: string;
  decision_no: string;
  decided_on: string;
  published_on: string | null;
  authority: string | null;
  nature: string;
  penalty_amount: string;
}

const DECLARATIONS: PagedListSpec = {
  table: 'customs_declarations',
  select: 'uscc, entry_no, declared_on::text AS declared_on, direction, hs_code, value::text AS value, trade_mode, port',
  orderBy: [
    ['declared_on', 'date'],
    ['entry_no', 'text'],
  ],
  direction: 'DESC',
};

/** Customs data for one request. */
export class CustomsSource {
  private readonly registrations: DataLoader<string, CustomsRegistrationRow | null>;
  private readonly violations: DataLoader<string, CustomsViolationRow[]>;
  private readonly declarations: PagedList<DeclarationRow>;
  private readonly lists: ReadonlyMap<string, DataLoader<string, unknown>>;

  constructor(db: Statements, cursors: CursorSealer) {
    this.declarations = new PagedList(db, cursors, DECLARATIONS);
    this.registrations = rowByUscc(db, 'customs_registrations', `SELECT ${REGISTRATIONS.select} FROM customs_registrations WHERE uscc = ANY($1) AND superseded_at IS NULL`);
    this.violations = rowsByUscc(
      db,
      'customs_violations',
      `SELECT ${VIOLATIONS.select} FROM customs_violations WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY decided_on DESC, decision_no DESC`,
    );
    this.lists = new Map<string, DataLoader<string, unknown>>([['violations', this.violations]]);
  }

  /** Starts reading, for `uscc`, the lists among `fields` (CustomsProfile's field names). */
  prefetchLists(uscc: string, fields: ReadonlySet<string>): void {
    prefetch(uscc, fields, this.lists);
  }

  /** The customs registration, or null when the enterprise has none. */
  registrationOf(uscc: string): Promise<CustomsRegistrationRow | null> {
    return this.registrations.load(uscc);
  }

  violationsOf(uscc: string): Promise<CustomsViolationRow[]> {
    return this.violations.load(uscc);
  }

  /** A page of declarations, newest first; all enterprises asking for the same page share one statement. */
  declarationsOf(uscc: string, first: number, after: string | null | undefined): Promise<Page<DeclarationRow>> {
    return this.declarations.pageOf(uscc, first, after);
  }
}
