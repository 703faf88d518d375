/** Publicity periods from the rules file: each kind's grades, when its publicity starts and ends. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDIT_RULES_FILE, PublicityRules } from './publicity.js';

const rules = PublicityRules.load();

describe('publicity periods', () => {
  it('grades a market penalty: a warning or a fine up to the low amount is minor, public three months from its publication', () => {
    // Three months from 15 January end on 15 April (its first day not counted); from 30 November, on the last day of February.
    const warning = rules.publicityOf('ADMINISTRATIVE_PENALTY', { category: 'WARNING', amount: '0', published_on: '2026-01-15' }, '2026-04-15');
    expect(warning).toMatchObject({ severity: 'MINOR', publicFrom: '2026-01-15', publicUntil: '2026-04-15', status: 'PUBLIC' });
    expect(rules.publicityOf('ADMINISTRATIVE_PENALTY', { category: 'WARNING', published_on: '2026-01-15' }, '2026-04-16').status).toBe('ENDED');
    expect(rules.publicityOf('ADMINISTRATIVE_PENALTY', { category: 'WARNING', published_on: '2026-11-30' }, '2026-12-01').publicUntil).toBe('2027-02-28');
    expect(rules.severityOf('ADMINISTRATIVE_PENALTY', { category: 'FINE', amount: '30000.00' })).toBe('MINOR');
    expect(rules.severityOf('ADMINISTRATIVE_PENALTY', { category: 'FINE', amount: '30000.01' })).toBe('GENERAL');
    expect(rules.severityOf('ADMINISTRATIVE_PENALTY', { category: 'LICENCE_REVOCATION', amount: 0 })).toBe('GENERAL');
  });

  it('keeps any other penalty public three years from its publication; unpublished, in force as long from its decision', () => {
    const fine = { category: 'FINE', amount: 50_000, published_on: '2023-03-05' };
    expect(rules.publicityOf('ADMINISTRATIVE_PENALTY', fine, '2026-03-05')).toMatchObject({ severity: 'GENERAL', publicUntil: '2026-03-05', status: 'PUBLIC' });
    expect(rules.publicityOf('ADMINISTRATIVE_PENALTY', fine, '2026-03-06').status).toBe('ENDED');
    const unpublished = { category: 'FINE', amount: 50_000, published_on: null, decided_on: '2023-03-01' };
    expect(rules.publicityOf('ADMINISTRATIVE_PENALTY', unpublished, '2026-03-01')).toMatchObject({ publicFrom: null, publicUntil: '2026-03-01', status: 'NOT_PUBLISHED' });
    expect(rules.publicityOf('ADMINISTRATIVE_PENALTY', unpublished, '2026-03-02').status).toBe('ENDED');
    // A publication dated after the day asked about has not happened yet on that day.
    expect(rules.publicityOf('ADMINISTRATIVE_PENALTY', { ...fine, published_on: '2026-03-06' }, '2026-03-05').status).toBe('NOT_PUBLISHED');
  });

  it('ends a list entry at its removal, or three years after its listing for the serious-violation list', () => {
    expect(rules.publicityOf('SERIOUS_VIOLATION', { listed_on: '2023-02-28' }, '2026-02-28')).toMatchObject({ severity: 'SERIOUS', publicUntil: '2026-02-28', status: 'PUBLIC' });
    expect(rules.publicityOf('SERIOUS_VIOLATION', { listed_on: '2023-02-28' }, '2026-03-01').status).toBe('ENDED');
    expect(rules.publicityOf('SERIOUS_VIOLATION', { listed_on: '2025-01-10', removed_on: '2026-01-10' }, '2026-01-10')).toMatchObject({ publicUntil: '2026-01-09', status: 'ENDED' });
    // The abnormal-operations list has no period of its own: public while listed.
    expect(rules.publicityOf('ABNORMAL_OPERATION', { listed_on: '2019-07-01' }, '2026-03-04')).toMatchObject({ severity: 'GENERAL', publicUntil: null, status: 'PUBLIC' });
    expect(rules.publicityOf('ABNORMAL_OPERATION', { listed_on: '2019-07-01', removed_on: '2020-01-01' }, '2026-03-04').status).toBe('ENDED');
  });

  it('grades customs smuggling as serious dishonesty and other violations as general', () => {
    expect(rules.publicityOf('CUSTOMS_VIOLATION', { nature: '走私普通货物', published_on: '2025-01-02' }, '2026-01-03')).toMatchObject({
      severity: 'SERIOUS',
      publicUntil: '2028-01-02',
      status: 'PUBLIC',
    });
    expect(rules.publicityOf('CUSTOMS_VIOLATION', { nature: '申报不实', published_on: '2025-01-02' }, '2026-01-03')).toMatchObject({ severity: 'GENERAL', publicUntil: '2026-01-02', status: 'ENDED' });
  });

  it('cites the legal source of every period', () => {
    const period = rules.publicityOf('MAJOR_TAX_VIOLATION', { published_on: '2025-01-02' }, '2026-01-02').period;
    expect(period).toMatchObject({ from: 'published', months: 36 });
    expect(period.source).toContain('国家税务总局令第54号');
  });

  it('refuses a rules file whose kinds lack a period or a catch-all grade', () => {
    const data = JSON.parse(readFileSync(CREDIT_RULES_FILE, 'utf8')) as { publicity: Record<string, { severities: unknown[]; periods: Record<string, unknown> }> };
    const broken = structuredClone(data);
    delete broken.publicity['CUSTOMS_VIOLATION']!.periods['SERIOUS'];
    expect(() => PublicityRules.load(write(broken))).toThrow('publicity.CUSTOMS_VIOLATION has no period for SERIOUS');
    const noCatchAll = structuredClone(data);
    noCatchAll.publicity['CUSTOMS_VIOLATION']!.severities.pop();
    expect(() => PublicityRules.load(write(noCatchAll))).toThrow("publicity.CUSTOMS_VIOLATION's last severity must apply to every entry");
  });
});

function write(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'meg-rules-')), 'data.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}
