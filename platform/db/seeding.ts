/**
 * What an agency contributes to seeding: its tables and, for each enterprise of the synthetic
 * universe, the rows of its own records. The seeding command (scripts/seed.ts) drives all four.
 */
import type { Agency } from '../domain/agencies.js';
import type { EnterpriseIdentity } from '../domain/synthetic/universe.js';

/** A table the seed fills, with the columns in the order rows give them. */
export interface SeedTable {
  readonly name: string;
  readonly columns: readonly string[];
}

/** Adds one row (values in the table's column order; null for SQL NULL) to a table. */
export type EmitRow = (table: string, row: readonly (string | number | boolean | null)[]) => void;

/** An agency's slice of the synthetic universe. */
export interface AgencySeed {
  readonly agency: Agency;
  readonly tables: readonly SeedTable[];
  /** Emits the agency's rows for one enterprise; must depend only on (seed, enterprise). */
  rowsFor(enterprise: EnterpriseIdentity, seed: string, emit: EmitRow): void;
}

/** Province abbreviations by the first two digits of a GB/T 2260 code, for document numbers. */
export const PROVINCE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  '11': '京',
  '12': '津',
  '13': '冀',
  '14': '晋',
  '21': '辽',
  '22': '吉',
  '23': '黑',
  '31': '沪',
  '32': '苏',
  '33': '浙',
  '34': '皖',
  '35': '闽',
  '36': '赣',
  '37': '鲁',
  '41': '豫',
  '42': '鄂',
  '43': '湘',
  '44': '粤',
  '45': '桂',
  '46': '琼',
  '50': '渝',
  '51': '川',
  '52': '黔',
  '53': '滇',
  '61': '陕',
  '62': '甘',
  '65': '新',
};

/** The abbreviation of the province of a region code. */
export function provinceOf(regionCode: string): string {
  return PROVINCE_ABBREVIATIONS[regionCode.slice(0, 2)] ?? '中';
}

/** Encodes a value for PostgreSQL's COPY text format. */
export function copyValue(value: string | number | boolean | null): string {
  if (value === null) return '\\N';
  if (typeof value !== 'string') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}
