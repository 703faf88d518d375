/** Whole-day date arithmetic on ISO dates. */
import { describe, expect, it } from 'vitest';
import { InvalidDateError, addDays, addMonths, addYears, dayOfWeek } from './calendarDate.js';

describe('calendar dates', () => {
  it('adds days, months and years, keeping to the end of a shorter month', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2023-06-30', 3)).toBe('2026-06-30');
  });

  it('knows the day of the week', () => {
    expect(dayOfWeek('2026-02-14')).toBe(6);
    expect(dayOfWeek('2026-02-15')).toBe(0);
    expect(dayOfWeek('1969-12-31')).toBe(3);
  });

  it('refuses what is not a calendar date', () => {
    for (const bad of ['2026-2-1', '2026-02-29', '20260201', '']) expect(() => addDays(bad, 1)).toThrow(InvalidDateError);
  });
});
