import { describe, expect, it } from 'vitest';
import { createMasker } from './masking.js';

const mask = createMasker(Buffer.from('test-key'));

describe('masks', () => {
  it('keeps the region and last four digits of an ID number', () => {
    expect(mask('ID_NUMBER', '11010119900307123X')).toBe('110101********123X');
  });

  it('keeps the surname of a name and the ends of a phone number', () => {
    expect(mask('NAME', '欧阳娜娜')).toBe('欧***');
    expect(mask('NAME', '王伟')).toBe('王*');
    expect(mask('PHONE', '13812345678')).toBe('138****5678');
  });

  it('shows an amount as its band', () => {
    expect([0, 9_999.99, 10_000, 250_000, 3_000_000, 12_000_000].map((n) => mask('AMOUNT_BAND', n))).toEqual(['0-10k', '0-10k', '10k-100k', '100k-1M', '1M-10M', '10M+']);
  });

  it('shows a date as its year', () => {
    expect(mask('DATE_YEAR', '2024-03-31')).toBe('2024');
  });

  it('hashes with a key: the same value links, another key does not', () => {
    const a = mask('HASH', '91350100M000100Y43');
    expect(a).toMatch(/^h:[\w-]{22}$/);
    expect(mask('HASH', '91350100M000100Y43')).toBe(a);
    expect(createMasker(Buffer.from('other-key'))('HASH', '91350100M000100Y43')).not.toBe(a);
  });

  it('shows nothing of a value too short for its mask, and bands a negative amount', () => {
    expect(mask('ID_NUMBER', '1234567890')).toBe('********');
    expect(mask('ID_NUMBER', 12345678901234)).toBe('********');
    expect(mask('PHONE', '123456')).toBe('****');
    expect(mask('PHONE', 13812345678)).toBe('****');
    expect(mask('NAME', '')).toBe('*');
    expect(mask('AMOUNT_BAND', -5)).toBe('negative');
    expect(mask('AMOUNT_BAND', '250000')).toBe('100k-1M');
    expect(mask('AMOUNT_BAND', 'a lot')).toBeNull();
    expect(mask('DATE_YEAR', 'March 2024')).toBeNull();
    expect(mask('DATE_YEAR', 20240331)).toBeNull();
  });

  it('withholds values of a mask it does not know, and keeps null', () => {
    expect(mask('SOMETHING_NEW', 'secret')).toBeNull();
    expect(mask('ID_NUMBER', null)).toBeNull();
  });

  it('gives null for a value that is absent, under every mask', () => {
    expect(['ID_NUMBER', 'NAME', 'PHONE', 'AMOUNT_BAND', 'DATE_YEAR', 'HASH'].map((m) => mask(m, undefined))).toEqual([null, null, null, null, null, null]);
  });

  it('never shows all of a phone number: seven digits show nothing, eight hide one', () => {
    expect(mask('PHONE', '8765432')).toBe('****');
    expect(mask('PHONE', '87654321')).toBe('876*4321');
  });

  it('shows nothing of a list of characters, however long (only strings are masked in part)', () => {
    const characters = [...'11010119900307123X'];
    expect(mask('ID_NUMBER', characters)).toBe('********');
    expect(mask('NAME', [...'欧阳娜娜'])).toBe('*');
    expect(mask('PHONE', [...'13812345678'])).toBe('****');
  });

  it('shows a date as its year only when it starts with four digits', () => {
    expect(mask('DATE_YEAR', '24-03-31')).toBeNull();
    expect(mask('DATE_YEAR', '202-03-31')).toBeNull();
  });
});
