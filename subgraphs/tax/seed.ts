/**
 * The tax administration's slice of the synthetic universe. Ratings follow the universe's traits:
 * mostly B, about 12% A (trustworthy, low risk), 7% C, 3% D, M for enterprises in their first
 * year; 0.7% on the major tax-violation list (always rated D); some arrears among the risky.
 */
import { provinceOf, type AgencySeed } from '../../platform/db/seeding.js';
import { Random, addDays, maxDate } from '../../platform/domain/synthetic/random.js';
import { UNIVERSE_TODAY, type EnterpriseIdentity } from '../../platform/domain/synthetic/universe.js';
import { seededPublication } from '../../platform/domain/synthetic/publication.js';

const TAX_TYPES = ['增值税', '企业所得税', '城市维护建设税', '印花税', '房产税'];
const VIOLATION_NATURES = ['偷税', '虚开增值税专用发票', '骗取出口退税', '逃避追缴欠税', '虚开普通发票'];
const RATED_YEARS = [2023, 2024, 2025];

export const taxSeed: AgencySeed = {
  agency: 'tax',
  tables: [
    { name: 'tax_taxpayers', columns: ['uscc', 'taxpayer_type', 'registered_on', 'tax_authority'] },
    { name: 'tax_credit_ratings', columns: ['uscc', 'year', 'rating', 'evaluated_on'] },
    { name: 'tax_arrears', columns: ['uscc', 'tax_type', 'amount', 'since', 'settled_on'] },
    { name: 'tax_major_violations', columns: ['case_no', 'uscc', 'nature', 'amount', 'listed_on', 'removed_on', 'authority', 'published_on'] },
    { name: 'tax_filings', columns: ['uscc', 'period', 'filed_on', 'revenue', 'tax_paid'] },
  ],

  rowsFor(e, seed, emit) {
    const rng = Random.for(seed, e.index, 'tax');
    const registeredOn = addDays(e.establishedOn, rng.int(3, 30));
    if (registeredOn > UNIVERSE_TODAY) return;
    const general = e.registeredCapital >= 5_000_000 || rng.chance(0.3);
    emit('tax_taxpayers', [e.uscc, general ? 'GENERAL_TAXPAYER' : 'SMALL_SCALE_TAXPAYER', registeredOn, `国家税务总局${e.region.city}市${e.region.district}税务局`]);

    const majorViolation = e.risk > 0.993;
    for (const year of RATED_YEARS) {
      if (registeredOn > `${year}-12-31`) continue;
      emit('tax_credit_ratings', [e.uscc, year, ratingFor(e, year, registeredOn, majorViolation, rng), `${year + 1}-04-${String(rng.int(10, 28)).padStart(2, '0')}`]);
    }

    if (e.risk > 0.94 && rng.chance(0.5)) {
      const count = rng.int(1, 2);
      for (let k = 0; k < count; k++) {
        const since = rng.dateBetween(maxDate(registeredOn, '2022-01-01'), UNIVERSE_TODAY);
        emit('tax_arrears', [e.uscc, TAX_TYPES[k]!, rng.int(2_000, 2_000_000), since, rng.chance(0.3) ? addDays(since, rng.int(30, 200)) : null]);
      }
    }

    if (majorViolation) {
      const listed = rng.dateBetween(maxDate(registeredOn, '2021-01-01'), UNIVERSE_TODAY);
      emit('tax_major_violations', [
        `${provinceOf(e.region.code)}税稽〔${listed.slice(0, 4)}〕${e.index}号`,
        e.uscc,
        rng.pick(VIOLATION_NATURES),
        rng.int(100_000, 20_000_000),
        listed,
        null,
        `国家税务总局${e.region.city}市税务局稽查局`,
        seededPublication(seed, e.index, 'tax-major-violation', listed),
      ]);
    }

    const revenueBase = e.registeredCapital * (0.05 + rng.next() * 0.6);
    for (const period of ['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1']) {
      const quarterEnd = { Q1: '03-31', Q2: '06-30', Q3: '09-30', Q4: '12-31' }[period.slice(5) as 'Q1'];
      const end = `${period.slice(0, 4)}-${quarterEnd}`;
      if (registeredOn > end) continue;
      const revenue = Math.round(revenueBase * (0.7 + rng.next() * 0.6));
      emit('tax_filings', [e.uscc, period, addDays(end, rng.int(5, 15)), revenue, Math.round(revenue * (general ? 0.03 : 0.01))]);
    }
  },
};

/** The credit level of a year: the risk trait decides C and D, trust decides A, youth gives M. */
function ratingFor(e: EnterpriseIdentity, year: number, registeredOn: string, majorViolation: boolean, rng: Random): string {
  if (majorViolation) return 'D';
  if (registeredOn > `${year - 1}-12-31`) return 'M';
  const risk = e.risk + (rng.next() - 0.5) * 0.02;
  if (risk > 0.97) return 'D';
  if (risk > 0.9) return 'C';
  if (e.trust > 0.8 && e.risk < 0.6) return 'A';
  return 'B';
}
