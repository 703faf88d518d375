/**
 * The working-day calendar: China's official holidays and the weekends worked in their place
 * (调休), as the State Council's General Office announces them each year. Periods the rules count
 * in working days (publication within 7 working days, a repair decided within 5) are counted here
 * and nowhere else.
 *
 * The years come from the `chinese-days` package (pinned), whose data is taken from those
 * announcements, and from an override file for a year announced after the package's release (or
 * a correction of one). A date in a year that neither knows is an error, never a guess.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { projectRoot } from '../config/projectRoot.js';
import { dateOfDay, dayNumber, dayOfWeek, yearOf } from './calendarDate.js';

/** The override file shipped with the project: `platform/time/calendarOverrides.json`. */
export const DEFAULT_CALENDAR_OVERRIDES = path.join(projectRoot, 'platform', 'time', 'calendarOverrides.json');

/** A date falls in a year whose holidays the calendar does not know. */
export class CalendarYearUnknownError extends Error {
  override readonly name = 'CalendarYearUnknownError';
  readonly code = 'CALENDAR_YEAR_UNKNOWN';
  constructor(
    readonly year: number,
    readonly known: string,
  ) {
    super(
      `the working-day calendar does not know ${year} (it knows ${known}): add the State Council's holiday arrangement for ${year} to ` +
        `the calendar's override file (platform/time/calendarOverrides.json, or the file MEG_CALENDAR_OVERRIDES names)`,
    );
  }
}

/** The override file is malformed; the message says where. */
export class CalendarOverrideError extends Error {
  override readonly name = 'CalendarOverrideError';
}

/** One year's arrangement: the official days off and the weekend days worked in their place. */
export interface YearArrangement {
  /** Days off for official holidays, weekends inside a holiday period included. */
  readonly holidays: readonly string[];
  /** Saturdays and Sundays that are working days (调休上班). */
  readonly workingWeekends: readonly string[];
  /** Where the arrangement comes from: the notice, or the package and its version. */
  readonly source: string;
}

/** Working days between dates and after a date, over the years it knows. */
export class WorkingDayCalendar {
  /**
   * Per known year: one flag per day of the year (1 for a working day), and the working days from
   * the year's first day up to each day, inclusive, so that a count over years costs one step per year.
   */
  private readonly years = new Map<number, { readonly firstDay: number; readonly working: Uint8Array; readonly through: Uint16Array; readonly source: string }>();

  constructor(arrangements: ReadonlyMap<number, YearArrangement>) {
    for (const [year, arrangement] of arrangements) {
      const firstDay = dayNumber(`${year}-01-01`);
      const length = dayNumber(`${year + 1}-01-01`) - firstDay;
      const working = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        const weekday = dayOfWeek(dateOfDay(firstDay + i));
        working[i] = weekday === 0 || weekday === 6 ? 0 : 1;
      }
      for (const date of arrangement.holidays) working[dayNumber(date) - firstDay] = 0;
      for (const date of arrangement.workingWeekends) working[dayNumber(date) - firstDay] = 1;
      const through = new Uint16Array(length);
      for (let i = 0, n = 0; i < length; i++) through[i] = n += working[i]!;
      this.years.set(year, { firstDay, working, through, source: arrangement.source });
    }
  }

  /**
   * The official calendar: the pinned `chinese-days` data, with the years of the override file
   * (`MEG_CALENDAR_OVERRIDES`, default {@link DEFAULT_CALENDAR_OVERRIDES}) replacing or adding years.
   */
  static official(overridesFile: string = DEFAULT_CALENDAR_OVERRIDES): WorkingDayCalendar {
    const arrangements = new Map(packagedArrangements());
    for (const [year, arrangement] of readOverrides(overridesFile)) arrangements.set(year, arrangement);
    return new WorkingDayCalendar(arrangements);
  }

  /** Whether the calendar knows the holidays of `year`. */
  knows(year: number): boolean {
    return this.years.has(year);
  }

  /** The years known, as "2004–2026" (or a list where there are gaps). */
  knownYears(): string {
    const years = [...this.years.keys()].sort((a, b) => a - b);
    if (years.length === 0) return 'no year';
    const ranges: string[] = [];
    let start = years[0]!;
    let previous = start;
    for (const year of [...years.slice(1), Number.NaN]) {
      if (year === previous + 1) {
        previous = year;
        continue;
      }
      ranges.push(start === previous ? `${start}` : `${start}–${previous}`);
      start = previous = year;
    }
    return ranges.join(', ');
  }

  /** Where the arrangement of `year` comes from. */
  sourceOf(year: number): string {
    return this.year(year).source;
  }

  /** Whether `date` is a working day: a weekday that is not an official holiday, or a weekend day worked in lieu. */
  isWorkingDay(date: string): boolean {
    return this.workingOnDay(dayNumber(date));
  }

  /**
   * The working days after `from` up to and including `to`, as the rules count a period (its first
   * day not counted): 0 when `to` is `from`, negative when `to` is before it.
   */
  workingDaysBetween(from: string, to: string): number {
    const a = dayNumber(from);
    const b = dayNumber(to);
    if (b < a) return -this.workingDaysBetween(to, from);
    const since = yearOf(from);
    return this.workingThrough(to, since) - this.workingThrough(from, since);
  }

  /** The `n`-th working day after `date` (`date` itself when `n` is 0): the last day of a period of `n` working days. */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`a number of working days is a whole number, 0 or more, not ${n}`);
    let day = dayNumber(date);
    this.year(yearOf(date));
    for (let left = n; left > 0;) {
      day++;
      if (this.workingOnDay(day)) left--;
    }
    return dateOfDay(day);
  }

  /**
   * Working days from 1 January of `sinceYear` (default: `date`'s year) up to `date`, inclusive;
   * every year in between must be known.
   */
  private workingThrough(date: string, sinceYear: number = yearOf(date)): number {
    const year = yearOf(date);
    let count = 0;
    for (let y = sinceYear; y < year; y++) {
      const known = this.year(y);
      count += known.through[known.through.length - 1]!;
    }
    const known = this.year(year);
    return count + known.through[dayNumber(date) - known.firstDay]!;
  }

  private workingOnDay(day: number): boolean {
    const year = yearOf(dateOfDay(day));
    const known = this.year(year);
    return known.working[day - known.firstDay] === 1;
  }

  private year(year: number): { readonly firstDay: number; readonly working: Uint8Array; readonly through: Uint16Array; readonly source: string } {
    const known = this.years.get(year);
    if (!known) throw new CalendarYearUnknownError(year, this.knownYears());
    return known;
  }
}

/**
 * The process's calendar: the official one, with the override file `MEG_CALENDAR_OVERRIDES` names
 * (default {@link DEFAULT_CALENDAR_OVERRIDES}); a malformed file stops the start with what is wrong.
 */
export function calendarFrom(env: Readonly<Record<string, string | undefined>>): WorkingDayCalendar {
  const file = env.MEG_CALENDAR_OVERRIDES;
  return WorkingDayCalendar.official(file ? path.resolve(projectRoot, file) : DEFAULT_CALENDAR_OVERRIDES);
}

/** The arrangements in the `chinese-days` package, per year. */
function packagedArrangements(): Map<number, YearArrangement> {
  const require = createRequire(import.meta.url);
  const version = (require('chinese-days/package.json') as { version: string }).version;
  const data = require('chinese-days/dist/chinese-days.json') as { holidays: Record<string, string>; workdays: Record<string, string> };
  const years = new Map<number, { holidays: string[]; workingWeekends: string[] }>();
  const of = (date: string): { holidays: string[]; workingWeekends: string[] } => {
    const year = yearOf(date);
    let arrangement = years.get(year);
    if (!arrangement) years.set(year, (arrangement = { holidays: [], workingWeekends: [] }));
    return arrangement;
  };
  for (const date of Object.keys(data.holidays)) of(date).holidays.push(date);
  for (const date of Object.keys(data.workdays)) of(date).workingWeekends.push(date);
  const source = `chinese-days ${version} (from the State Council General Office's holiday notices)`;
  return new Map([...years].map(([year, arrangement]) => [year, { ...arrangement, source }]));
}

/**
 * The override file: `{ "years": { "2027": { "source": "…", "holidays": [...], "workingWeekends": [...] } } }`.
 * Every date must be in its year, a working weekend must be a Saturday or Sunday, and no day may be both.
 */
export function readOverrides(file: string): Map<number, YearArrangement> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CalendarOverrideError(`the calendar override file ${file} cannot be read: ${(error as Error).message}`);
  }
  const years = (parsed as { years?: unknown } | null)?.years;
  if (typeof years !== 'object' || years === null || Array.isArray(years)) {
    throw new CalendarOverrideError(`${file}: expected an object with "years" (an object keyed by year)`);
  }
  const overrides = new Map<number, YearArrangement>();
  for (const [key, value] of Object.entries(years)) {
    const where = `${file}: years.${key}`;
    if (!/^\d{4}$/.test(key)) throw new CalendarOverrideError(`${where}: a year is four digits`);
    const year = Number(key);
    const entry = value as Partial<Record<'source' | 'holidays' | 'workingWeekends', unknown>> | null;
    if (typeof entry?.source !== 'string' || entry.source.trim() === '') {
      throw new CalendarOverrideError(`${where}.source: name the notice the arrangement comes from`);
    }
    const holidays = datesOf(entry.holidays, `${where}.holidays`, year);
    const workingWeekends = datesOf(entry.workingWeekends, `${where}.workingWeekends`, year);
    for (const date of workingWeekends) {
      const weekday = dayOfWeek(date);
      if (weekday !== 0 && weekday !== 6) throw new CalendarOverrideError(`${where}.workingWeekends: ${date} is not a Saturday or Sunday`);
      if (holidays.includes(date)) throw new CalendarOverrideError(`${where}: ${date} is both a holiday and a working weekend`);
    }
    overrides.set(year, { source: entry.source, holidays, workingWeekends });
  }
  return overrides;
}

function datesOf(value: unknown, where: string, year: number): string[] {
  if (!Array.isArray(value)) throw new CalendarOverrideError(`${where}: expected a list of dates (YYYY-MM-DD)`);
  return value.map((date: unknown) => {
    if (typeof date !== 'string') throw new CalendarOverrideError(`${where}: ${JSON.stringify(date)} is not a date`);
    try {
      if (yearOf(date) !== year) throw new CalendarOverrideError(`${where}: ${date} is not in ${year}`);
    } catch (error) {
      if (error instanceof CalendarOverrideError) throw error;
      throw new CalendarOverrideError(`${where}: ${(error as Error).message}`);
    }
    return date;
  });
}
