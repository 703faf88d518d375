import { describe, expect, it } from 'vitest';
import { composeResidentId, isResidentId, residentIdCheckCharacter } from './residentId.js';

describe('resident identity numbers (GB 11643-1999)', () => {
  it('accepts the worked examples of the standard, computed by hand, not by this module', () => {
    // 11010519491231002X: a woman of Chaoyang district, Beijing, born 31 December 1949 (check X);
    // 440524188001010014: a man of Chaoshan, Guangdong, born 1 January 1880 (check 4).
    expect(isResidentId('11010519491231002X')).toBe(true);
    expect(isResidentId('440524188001010014')).toBe(true);
    expect(residentIdCheckCharacter('11010519491231002')).toBe('X');
    expect(residentIdCheckCharacter('44052418800101001')).toBe('4');
  });

  it('refuses the same numbers with any other check character', () => {
    for (const check of '0123456789') expect(isResidentId(`11010519491231002${check}`)).toBe(false);
    for (const check of '012356789X') expect(isResidentId(`44052418800101001${check}`)).toBe(false);
  });

  it('refuses a date that does not exist, a lower-case x and the wrong length', () => {
    expect(isResidentId(composeResidentId('110105', '19490230', 2))).toBe(false);
    expect(isResidentId('11010519491231002x')).toBe(false);
    expect(isResidentId('1101051949123100')).toBe(false);
  });

  it('composes what it accepts, and what the standard gives for its example', () => {
    expect(composeResidentId('110105', '19491231', 2)).toBe('11010519491231002X');
    expect(composeResidentId('440524', '18800101', 1)).toBe('440524188001010014');
  });
});
