/**
 * Social security's slice of the synthetic universe: every enterprise with employees is a
 * registered employer with six months of insured headcount; about 3% owe contributions. Employee
 * records are kept for up to 10 employees an enterprise, enough to exercise personal-data rules
 * without making a million-enterprise seed carry tens of millions of people.
 */
import type { AgencySeed } from '../../platform/db/seeding.js';
import { Random, addDays, maxDate } from '../../platform/domain/synthetic/random.js';
import { UNIVERSE_TODAY, personAt } from '../../platform/domain/synthetic/universe.js';

const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
const INSURANCES = ['PENSION', 'MEDICAL', 'UNEMPLOYMENT', 'WORK_INJURY', 'MATERNITY'];
const MAX_EMPLOYEE_RECORDS = 10;

export const socialSeed: AgencySeed = {
  agency: 'social',
  tables: [
    { name: 'social_employers', columns: ['uscc', 'employer_no', 'registered_on'] },
    { name: 'social_headcounts', columns: ['uscc', 'month', 'insured'] },
    { name: 'social_arrears', columns: ['uscc', 'insurance_type', 'amount', 'months', 'since', 'settled_on'] },
    { name: 'social_employees', columns: ['uscc', 'id_number', 'name', 'insured_since'] },
  ],

  rowsFor(e, seed, emit) {
    if (e.headcount === 0) return;
    const rng = Random.for(seed, e.index, 'social');
    const registeredOn = addDays(e.establishedOn, rng.int(10, 60));
    if (registeredOn > UNIVERSE_TODAY) return;
    emit('social_employers', [e.uscc, `${e.region.code}${String(e.index).padStart(10, '0')}`, registeredOn]);
    for (const month of MONTHS) {
      if (`${month}-01` < registeredOn.slice(0, 7)) continue;
      emit('social_headcounts', [e.uscc, month, Math.max(1, e.headcount + rng.int(-2, 2))]);
    }
    if (e.risk > 0.95 && rng.chance(0.6)) {
      const since = rng.dateBetween(maxDate(registeredOn, '2024-01-01'), '2026-03-01').slice(0, 8) + '01';
      const months = rng.int(1, 12);
      for (const insurance of INSURANCES.slice(0, rng.int(1, 3))) {
        emit('social_arrears', [e.uscc, insurance, Math.round(e.headcount * months * (200 + rng.next() * 800)), months, since, rng.chance(0.2) ? addDays(since, months * 30 + rng.int(10, 60)) : null]);
      }
    }
    const seen = new Set<string>();
    for (let k = 0; k < Math.min(e.headcount, MAX_EMPLOYEE_RECORDS); k++) {
      const person = personAt(rng, e.region.code);
      if (seen.has(person.idNumber + person.name)) continue;
      seen.add(person.idNumber + person.name);
      emit('social_employees', [e.uscc, person.idNumber, person.name, rng.dateBetween(registeredOn, UNIVERSE_TODAY).slice(0, 8) + '01']);
    }
  },
};
