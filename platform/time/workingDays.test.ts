/** Working days as the State Council's holiday notices make them, for 2025 and 2026, and years the calendar does not know. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CalendarOverrideError, CalendarYearUnknownError, WorkingDayCalendar } from './workingDays.js';

const calendar = WorkingDayCalendar.official();

describe('the official working-day calendar', () => {
  it('knows the Spring Festival of 2025: 28 January to 4 February off, Sunday 26 January and Saturday 8 February worked', () => {
    expect(calendar.isWorkingDay('2025-01-27')).toBe(true);
    for (const day of ['2025-01-28', '2025-01-29', '2025-01-31', '2025-02-03', '2025-02-04']) expect(calendar.isWorkingDay(day)).toBe(false);
    expect(calendar.isWorkingDay('2025-01-26')).toBe(true);
    expect(calendar.isWorkingDay('2025-02-08')).toBe(true);
    expect(calendar.isWorkingDay('2025-02-09')).toBe(false);
  });

  it('counts 7 working days from a decision before the Spring Festival of 2025 past the holiday and into the worked Saturday', () => {
    // Decided Friday 24 January: Sunday 26 (worked), Monday 27, then the holiday; Wednesday 5,
    // Thursday 6, Friday 7, Saturday 8 (worked) and Monday 10 February.
    expect(calendar.addWorkingDays('2025-01-24', 7)).toBe('2025-02-10');
    expect(calendar.workingDaysBetween('2025-01-24', '2025-02-10')).toBe(7);
    expect(calendar.workingDaysBetween('2025-01-24', '2025-02-07')).toBe(5);
  });

  it('knows National Day of 2025: 1 to 8 October off, Sunday 28 September and Saturday 11 October worked', () => {
    expect(calendar.isWorkingDay('2025-09-28')).toBe(true);
    for (let d = 1; d <= 8; d++) expect(calendar.isWorkingDay(`2025-10-0${d}`)).toBe(false);
    expect(calendar.isWorkingDay('2025-10-09')).toBe(true);
    expect(calendar.isWorkingDay('2025-10-11')).toBe(true);
    expect(calendar.isWorkingDay('2025-10-12')).toBe(false);
    // Decided Tuesday 30 September: 9, 10, 11 (Saturday, worked), 13, 14, 15, 16 October.
    expect(calendar.addWorkingDays('2025-09-30', 7)).toBe('2025-10-16');
  });

  it('knows the Spring Festival of 2026: 15 to 23 February off, Saturdays 14 and 28 February worked', () => {
    expect(calendar.isWorkingDay('2026-02-13')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-14')).toBe(true);
    for (let d = 15; d <= 23; d++) expect(calendar.isWorkingDay(`2026-02-${d}`)).toBe(false);
    expect(calendar.isWorkingDay('2026-02-24')).toBe(true);
    expect(calendar.isWorkingDay('2026-02-28')).toBe(true);
    // Decided Friday 13 February: 14 (Saturday, worked), 24, 25, 26, 27, 28 (Saturday, worked), 2 March.
    expect(calendar.addWorkingDays('2026-02-13', 7)).toBe('2026-03-02');
    expect(calendar.workingDaysBetween('2026-02-13', '2026-03-02')).toBe(7);
  });

  it('knows National Day of 2026: 1 to 7 October off, Sunday 20 September and Saturday 10 October worked', () => {
    expect(calendar.isWorkingDay('2026-09-20')).toBe(true);
    for (let d = 1; d <= 7; d++) expect(calendar.isWorkingDay(`2026-10-0${d}`)).toBe(false);
    expect(calendar.isWorkingDay('2026-10-08')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-10')).toBe(true);
    // Decided Wednesday 30 September: 8, 9, 10 (Saturday, worked), 12, 13, 14, 15 October.
    expect(calendar.addWorkingDays('2026-09-30', 7)).toBe('2026-10-15');
  });

  it('counts a period from the day after its start, and backwards as a negative number', () => {
    expect(calendar.workingDaysBetween('2026-03-02', '2026-03-02')).toBe(0);
    expect(calendar.addWorkingDays('2026-03-02', 0)).toBe('2026-03-02');
    expect(calendar.workingDaysBetween('2026-03-06', '2026-03-09')).toBe(1);
    expect(calendar.workingDaysBetween('2026-03-09', '2026-03-06')).toBe(-1);
    // Across the turn of the year: 31 December 2025 to 5 January 2026 (1–3 January off, Sunday 4 worked).
    expect(calendar.workingDaysBetween('2025-12-31', '2026-01-05')).toBe(2);
  });

  it('refuses a date in a year it does not know, naming the year and what it knows', () => {
    expect(calendar.knows(2026)).toBe(true);
    expect(calendar.knows(2027)).toBe(false);
    expect(() => calendar.isWorkingDay('2027-01-04')).toThrow(CalendarYearUnknownError);
    expect(() => calendar.addWorkingDays('2026-12-25', 7)).toThrow('the working-day calendar does not know 2027 (it knows 2004–2026)');
    expect(() => calendar.workingDaysBetween('2003-12-30', '2004-01-05')).toThrow('does not know 2003');
  });

  it('refuses a date that is not a calendar date and a negative number of days', () => {
    expect(() => calendar.isWorkingDay('2026-02-30')).toThrow('"2026-02-30" is not a calendar date written YYYY-MM-DD');
    expect(() => calendar.addWorkingDays('2026-03-02', -1)).toThrow(RangeError);
  });
});

describe('the override file', () => {
  it('adds a year announced after the package, and replaces a year the package has', () => {
    const file = overrides({
      years: {
        2027: { source: 'test notice for 2027', holidays: ['2027-01-01'], workingWeekends: ['2027-01-02'] },
        2026: { source: 'test correction of 2026', holidays: ['2026-03-02'], workingWeekends: [] },
      },
    });
    const withOverrides = WorkingDayCalendar.official(file);
    expect(withOverrides.isWorkingDay('2027-01-01')).toBe(false);
    expect(withOverrides.isWorkingDay('2027-01-02')).toBe(true);
    expect(withOverrides.addWorkingDays('2026-12-31', 2)).toBe('2027-01-04');
    expect(withOverrides.isWorkingDay('2026-03-02')).toBe(false);
    // The replaced year is wholly the override's: 2026's Spring Festival is no longer in it.
    expect(withOverrides.isWorkingDay('2026-02-16')).toBe(true);
    expect(withOverrides.sourceOf(2027)).toBe('test notice for 2027');
    expect(withOverrides.knownYears()).toBe('2004–2027');
  });

  it('says what is wrong with a malformed file', () => {
    const cases: [unknown, string][] = [
      [{}, 'expected an object with "years"'],
      [{ years: { 27: { source: 'x', holidays: [], workingWeekends: [] } } }, 'years.27: a year is four digits'],
      [{ years: { 2027: { holidays: [], workingWeekends: [] } } }, 'years.2027.source: name the notice'],
      [{ years: { 2027: { source: 'x', holidays: ['2028-01-01'], workingWeekends: [] } } }, 'years.2027.holidays: 2028-01-01 is not in 2027'],
      [{ years: { 2027: { source: 'x', holidays: ['2027-02-30'], workingWeekends: [] } } }, 'is not a calendar date'],
      [{ years: { 2027: { source: 'x', holidays: [], workingWeekends: ['2027-01-04'] } } }, '2027-01-04 is not a Saturday or Sunday'],
      [{ years: { 2027: { source: 'x', holidays: ['2027-01-02'], workingWeekends: ['2027-01-02'] } } }, 'both a holiday and a working weekend'],
      [{ years: { 2027: { source: 'x', holidays: 'none', workingWeekends: [] } } }, 'expected a list of dates'],
    ];
    for (const [content, message] of cases) {
      expect(() => WorkingDayCalendar.official(overrides(content))).toThrow(CalendarOverrideError);
      expect(() => WorkingDayCalendar.official(overrides(content))).toThrow(message);
    }
    expect(() => WorkingDayCalendar.official('/nonexistent/overrides.json')).toThrow('cannot be read');
  });
});

function overrides(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'meg-calendar-')), 'overrides.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}
