/**
 * Calendar dates as the agencies write them: ISO `YYYY-MM-DD` strings, in China Standard Time
 * (UTC+8, no daylight saving), with arithmetic on whole days.
 */

/** A date is not a calendar date written YYYY-MM-DD. */
export class InvalidDateError extends Error {
  override readonly name = 'InvalidDateError';
  readonly code = 'INVALID_DATE';
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
/** China Standard Time's offset from UTC: the agencies' dates are dates in Beijing. */
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** Days since 1970-01-01 of an ISO date; throws {@link InvalidDateError} for anything else. */
export function dayNumber(date: string): number {
  const match = ISO_DATE.exec(date);
  if (match) {
    const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    if (new Date(ms).toISOString().startsWith(date)) return ms / DAY_MS;
  }
  throw new InvalidDateError(`${JSON.stringify(date)} is not a calendar date written YYYY-MM-DD`);
}

/** The ISO date of a day number. */
export function dateOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The date `days` calendar days after `date` (before it when negative). */
export function addDays(date: string, days: number): string {
  return dateOfDay(dayNumber(date) + days);
}

/** The date `years` years after `date`; 29 February falls back to 28 February in a common year. */
export function addYears(date: string, years: number): string {
  return addMonths(date, years * 12);
}

/** The date `months` months after `date`, clamped to the last day of a shorter month. */
export function addMonths(date: string, months: number): string {
  const d = new Date(dayNumber(date) * DAY_MS);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastOfMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return dateOfDay(Date.UTC(year, month, Math.min(d.getUTCDate(), lastOfMonth)) / DAY_MS);
}

/** Day of the week of an ISO date: 0 Sunday … 6 Saturday. */
export function dayOfWeek(date: string): number {
  // 1970-01-01 was a Thursday.
  return (((dayNumber(date) + 4) % 7) + 7) % 7;
}

/** The calendar year of an ISO date. */
export function yearOf(date: string): number {
  dayNumber(date);
  return Number(date.slice(0, 4));
}

/** The date in Beijing at the instant `at`. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}
