/** Market regulation's registry, read in batches per request. */
import type DataLoader from 'dataloader';
import { rowByUscc, rowsByUscc, checkPageSize } from '../../runtime/batch.js';
import type { CursorSealer } from '../../../platform/trust/cursor.js';
import type { EntryVersion } from '../../runtime/entries.js';
import { prefetch } from '../../runtime/lookahead.js';
import { ABNORMAL_OPERATIONS, CREDIT_COMMITMENTS, LICENCES, PENALTIES, SERIOUS_VIOLATIONS } from './MarketEntries.js';
import type { Statements } from '../../../platform/db/database.js';
import type { ListMoveRule, ListMoveStep } from '../../../platform/domain/publicity.js';
import { listMovesDue, type ListMove } from './ListMoves.js';
import type { AbnormalOperationReason, EntityType, LicenceCategory, PenaltyCategory, RegistrationStatus } from '../generated/types.js';

export interface RegistrationRow {
  uscc: string;
  name: string;
  entity_type: EntityType;
  status: RegistrationStatus;
  established_on: string;
  registered_capital: string;
  region_code: string;
  industry_code: string;
  address: string;
  business_scope: string;
  legal_rep_name: string;
  legal_rep_id_number: string;
  legal_rep_phone: string;
}
export interface LicenceRow extends EntryVersion {
  uscc: string;
  licence_no: string;
  decision_no: string | null;
  title: string;
  category: LicenceCategory | null;
  authority: string;
  granted_on: string;
  valid_until: string | null;
  published_on: string | null;
}
export interface PenaltyRow extends EntryVersion {
  uscc: string;
  decision_no: string;
  decided_on: string;
  published_on: string | null;
  authority: string;
  category: PenaltyCategory | null;
  cause: string | null;
  basis: string;
  result: string | null;
  amount: string;
}
export interface AbnormalOperationRow extends EntryVersion {
  uscc: string;
  reason: AbnormalOperationReason;
  listed_on: string;
  authority: string;
  removed_on: string | null;
}
export interface SeriousViolationRow extends EntryVersion {
  uscc: string;
  decision_no: string;
  reason: string;
  listed_on: string;
  authority: string;
  removed_on: string | null;
}
export interface AnnualReportRow {
  uscc: string;
  year: number;
  filed_on: string;
  employee_count: number;
  total_assets: string;
}
export interface CreditCommitmentRow extends EntryVersion {
  uscc: string;
  matter: string;
  committed_on: string;
  fulfilled: boolean;
}

/** Filters of an enterprise search. */
export interface EnterpriseSearch {
  readonly name?: string | null;
  readonly regionCode?: string | null;
  readonly industryCode?: string | null;
  readonly first: number;
  readonly after?: string | null;
}

/** Market regulation's data for one request. */
export class MarketSource {
  private readonly registrations: DataLoader<string, RegistrationRow | null>;
  private readonly licences: DataLoader<string, LicenceRow[]>;
  private readonly penalties: DataLoader<string, PenaltyRow[]>;
  private readonly abnormalOperations: DataLoader<string, AbnormalOperationRow[]>;
  private readonly seriousViolations: DataLoader<string, SeriousViolationRow[]>;
  private readonly annualReports: DataLoader<string, AnnualReportRow[]>;
  private readonly creditCommitments: DataLoader<string, CreditCommitmentRow[]>;
  private readonly lists: ReadonlyMap<string, DataLoader<string, unknown>>;

  constructor(
    private readonly db: Statements,
    private readonly cursors: CursorSealer,
  ) {
    this.registrations = rowByUscc(
      db,
      'market_registrations',
      `SELECT uscc, name, entity_type, status, established_on::text AS established_on, registered_capital::text AS registered_capital,
              region_code, industry_code, address, business_scope, legal_rep_name, legal_rep_id_number, legal_rep_phone
         FROM market_registrations WHERE uscc = ANY($1)`,
    );
    this.licences = rowsByUscc(db, 'market_licences', `SELECT ${LICENCES.select} FROM market_licences WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY granted_on DESC, licence_no DESC`);
    this.penalties = rowsByUscc(db, 'market_penalties', `SELECT ${PENALTIES.select} FROM market_penalties WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY decided_on DESC, decision_no DESC`);
    this.abnormalOperations = rowsByUscc(
      db,
      'market_abnormal_operations',
      `SELECT ${ABNORMAL_OPERATIONS.select} FROM market_abnormal_operations WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY listed_on DESC, reason`,
    );
    this.seriousViolations = rowsByUscc(
      db,
      'market_serious_violations',
      `SELECT ${SERIOUS_VIOLATIONS.select} FROM market_serious_violations WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY listed_on DESC, decision_no DESC`,
    );
    this.annualReports = rowsByUscc(
      db,
      'market_annual_reports',
      `SELECT uscc, year, filed_on::text AS filed_on, employee_count, total_assets::text AS total_assets
         FROM market_annual_reports WHERE uscc = ANY($1) ORDER BY year DESC`,
    );
    this.creditCommitments = rowsByUscc(
      db,
      'market_credit_commitments',
      `SELECT ${CREDIT_COMMITMENTS.select} FROM market_credit_commitments WHERE uscc = ANY($1) AND superseded_at IS NULL ORDER BY committed_on DESC, matter`,
    );
    this.lists = new Map<string, DataLoader<string, unknown>>([
      ['licences', this.licences],
      ['penalties', this.penalties],
      ['abnormalOperations', this.abnormalOperations],
      ['seriousViolations', this.seriousViolations],
      ['annualReports', this.annualReports],
      ['creditCommitments', this.creditCommitments],
    ]);
  }

  /** The registration of an enterprise, or null when it is not registered. */
  registrationOf(uscc: string): Promise<RegistrationRow | null> {
    return this.registrations.load(uscc);
  }

  /** Starts reading, for `uscc`, the lists among `fields` (MarketProfile's field names). */
  prefetchLists(uscc: string, fields: ReadonlySet<string>): void {
    prefetch(uscc, fields, this.lists);
  }

  licencesOf(uscc: string): Promise<LicenceRow[]> {
    return this.licences.load(uscc);
  }

  /** The list moves due on `asOf` and not yet made (data/ListMoves.ts). */
  listMovesDue(rules: Readonly<Record<ListMoveStep, ListMoveRule>>, asOf: string): Promise<ListMove[]> {
    return listMovesDue(this.db, rules, asOf);
  }

  penaltiesOf(uscc: string): Promise<PenaltyRow[]> {
    return this.penalties.load(uscc);
  }

  abnormalOperationsOf(uscc: string): Promise<AbnormalOperationRow[]> {
    return this.abnormalOperations.load(uscc);
  }

  seriousViolationsOf(uscc: string): Promise<SeriousViolationRow[]> {
    return this.seriousViolations.load(uscc);
  }

  annualReportsOf(uscc: string): Promise<AnnualReportRow[]> {
    return this.annualReports.load(uscc);
  }

  creditCommitmentsOf(uscc: string): Promise<CreditCommitmentRow[]> {
    return this.creditCommitments.load(uscc);
  }

  /**
   * A page of registered enterprises matching the filters, ordered by code. Region and industry
   * codes match by prefix at their level: 440000 (a province) matches every county under it.
   */
  async searchEnterprises(search: EnterpriseSearch): Promise<{ edges: { cursor: string; uscc: string }[]; hasNextPage: boolean }> {
    checkPageSize(search.first);
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (search.name) {
      params.push(`%${search.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      conditions.push(`name LIKE $${params.length}`);
    }
    if (search.regionCode) {
      params.push(`${regionPrefix(search.regionCode)}%`);
      conditions.push(`region_code LIKE $${params.length}`);
    }
    if (search.industryCode) {
      params.push(`${search.industryCode.toUpperCase()}%`);
      conditions.push(`industry_code LIKE $${params.length}`);
    }
    if (search.after) {
      params.push(this.cursors.open(SEARCH_LIST, search.after, 1)[0]);
      conditions.push(`uscc > $${params.length}`);
    }
    params.push(search.first + 1);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = await this.db.search<{ uscc: string }>('market_registrations', `SELECT uscc FROM market_registrations ${where} ORDER BY uscc LIMIT $${params.length}`, params);
    const edges = rows.slice(0, search.first).map((r) => ({ cursor: this.cursors.seal(SEARCH_LIST, [r.uscc]), uscc: r.uscc }));
    return { edges, hasNextPage: rows.length > search.first };
  }
}

/** The list a search cursor belongs to: positions in the registry, by code. */
const SEARCH_LIST = 'market_registrations';

/** 440000 → "44", 440300 → "4403", 440305 → "440305". */
function regionPrefix(code: string): string {
  if (!/^\d{6}$/.test(code)) return code;
  if (code.endsWith('0000')) return code.slice(0, 2);
  if (code.endsWith('00')) return code.slice(0, 4);
  return code;
}
