import { describe, expect, it } from 'vitest';
import { checkUscc, composeUscc, isUscc } from './uscc.js';

describe('checkUscc', () => {
  it('accepts codes issued to real enterprises', () => {
    // The worked example of GB 32100-2015, and two codes printed on well-known business licences.
    for (const code of ['91350100M000100Y43', '91440300708461136T', '9144030071526726XG']) {
      expect(checkUscc(code)).toBeNull();
    }
  });

  it('reads an organisation check of 11 as 0 and of 10 as X (GB 11714), computed here by hand', () => {
    // Body 70000006: 7×3 + 6×2 = 33, 33 mod 11 = 0, 11 − 0 = 11, written 0. Body 00000000 likewise.
    // Body 11000001: 1×3 + 1×7 + 1×2 = 12, 12 mod 11 = 1, 11 − 1 = 10, written X.
    for (const code of ['914403007000000604', '91110105000000000U', '9144030011000001XN']) {
      expect({ code, problem: checkUscc(code) }).toEqual({ code, problem: null });
    }
    // The other reading of each is refused at the organisation check.
    expect(checkUscc('914403007000000X04')?.reason).toBe('ORGANISATION_CHECK');
    expect(checkUscc('91440300110000010N')?.reason).toBe('ORGANISATION_CHECK');
  });

  it('names the length when the code is too short or too long', () => {
    expect(checkUscc('9135010')).toEqual({
      reason: 'LENGTH',
      message: 'a unified social credit code has 18 characters; "9135010" has 7',
    });
    expect(checkUscc('91350100M000100Y430')?.reason).toBe('LENGTH');
  });

  it('names a bad character and its position', () => {
    expect(checkUscc('91350100M0001O0Y43')).toEqual({
      reason: 'CHARACTER',
      position: 14,
      message: 'bad character "O" at position 14 of "91350100M0001O0Y43": only digits and the capital letters ABCDEFGHJKLMNPQRTUWXY may appear',
    });
    expect(checkUscc('91350100m000100Y43')?.position).toBe(9);
  });

  it('names the expected organisation-code check digit', () => {
    // Positions 9–16 are the organisation code body M000100Y, position 17 its check digit 4.
    expect(checkUscc('91350100M000100Y53')).toEqual({
      reason: 'ORGANISATION_CHECK',
      position: 17,
      message: 'organisation code check digit of "91350100M000100Y53" is wrong: position 17 is "5", expected "4"',
    });
    // A changed body character is caught by the same check.
    expect(checkUscc('91350100M000100X43')?.message).toContain('position 17 is "4", expected "6"');
  });

  it('names the expected check digit', () => {
    expect(checkUscc('91350100M000100Y44')).toEqual({
      reason: 'CHECK_DIGIT',
      position: 18,
      message: 'check digit of "91350100M000100Y44" is wrong: position 18 is "4", expected "3"',
    });
  });

  it('refuses what is not a string', () => {
    expect(checkUscc(913501)?.message).toBe('a unified social credit code must be a string, not a number');
    expect(checkUscc(null)?.reason).toBe('TYPE');
  });

  it('composes valid codes from their parts', () => {
    const code = composeUscc('9', '1', '110105', '12345678');
    expect(code).toHaveLength(18);
    expect(isUscc(code)).toBe(true);
    expect(code.slice(0, 16)).toBe('9111010512345678');
  });

  it('reads the digit 9 of an organisation code as nine, computed here by hand', () => {
    // Body 99999999: 9 × (3+7+9+10+5+8+4+2) = 432, 432 mod 11 = 3, 11 − 3 = 8.
    expect(checkUscc('91110105999999998F')).toBeNull();
    expect(checkUscc('91110105999999993F')).toEqual({
      reason: 'ORGANISATION_CHECK',
      position: 17,
      message: 'organisation code check digit of "91110105999999993F" is wrong: position 17 is "3", expected "8"',
    });
  });

  it('says what it was given instead of a string', () => {
    expect(checkUscc(null)?.message).toBe('a unified social credit code must be a string, not null');
    expect(checkUscc(['91350100M000100Y43'])?.message).toBe('a unified social credit code must be a string, not a list');
  });

  it('quotes a value of up to 40 characters whole and a longer one cut at 40', () => {
    expect(checkUscc('9'.repeat(40))?.message).toBe(`a unified social credit code has 18 characters; "${'9'.repeat(40)}" has 40`);
    expect(checkUscc('9'.repeat(41))?.message).toBe(`a unified social credit code has 18 characters; "${'9'.repeat(40)}…" has 41`);
  });

  it('quotes control characters as "?", so that a message cannot carry a line break or a terminal escape', () => {
    expect(checkUscc('9135\n100M000100Y43')).toEqual({
      reason: 'CHARACTER',
      position: 5,
      message: 'bad character "?" at position 5 of "9135?100M000100Y43": only digits and the capital letters ABCDEFGHJKLMNPQRTUWXY may appear',
    });
    // A long value too: pasted text with a line break in its first 40 characters.
    expect(checkUscc(`91350100M000100Y43\n\u001b[2J${'x'.repeat(30)}`)?.message).toBe(`a unified social credit code has 18 characters; "91350100M000100Y43??[2J${'x'.repeat(17)}…" has 53`);
  });
});

describe('isUscc', () => {
  it('is true of a valid code only', () => {
    expect(isUscc('91350100M000100Y43')).toBe(true);
    expect(isUscc('91350100M000100Y44')).toBe(false);
    expect(isUscc(913501)).toBe(false);
  });
});
