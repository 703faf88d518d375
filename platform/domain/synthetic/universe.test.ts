import { describe, expect, it } from 'vitest';
import { isResidentId } from '../residentId.js';
import { isUscc } from '../uscc.js';
import { enterpriseAt } from './universe.js';
import { REGIONS } from './regions.js';
import { INDUSTRIES } from './industries.js';

describe('the synthetic universe', () => {
  const sample = Array.from({ length: 20_000 }, (_, i) => enterpriseAt('universe-test', i));

  it('is the same for the same seed and index, and different for another seed', () => {
    expect(enterpriseAt('universe-test', 42)).toEqual(sample[42]);
    expect(enterpriseAt('another-seed', 42).uscc).not.toBe(sample[42]!.uscc);
  });

  it('gives every enterprise a valid, unique code', () => {
    expect(sample.every((e) => isUscc(e.uscc))).toBe(true);
    expect(new Set(sample.map((e) => e.uscc)).size).toBe(sample.length);
  });

  it('gives legal representatives valid resident ID numbers', () => {
    expect(sample.every((e) => isResidentId(e.legalRepresentative.idNumber))).toBe(true);
  });

  it('uses real region and industry codes, embedded in the code as GB 32100 says', () => {
    const regions = new Set(REGIONS.map((r) => r.code));
    const industries = new Set(INDUSTRIES.map((i) => i.code));
    for (const e of sample.slice(0, 1000)) {
      expect(regions.has(e.region.code)).toBe(true);
      expect(industries.has(e.industry.code)).toBe(true);
      expect(e.uscc.slice(2, 8)).toBe(e.region.code);
    }
  });

  it('makes a minority trade across the border', () => {
    const traders = sample.filter((e) => e.trades).length / sample.length;
    expect(traders).toBeGreaterThan(0.03);
    expect(traders).toBeLessThan(0.3);
  });
});
