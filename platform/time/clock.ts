/**
 * The clock every process reads time from. Nothing that decides by date reads the wall clock
 * itself: tests inject a clock, and a process started with `MEG_CLOCK` runs on from that instant
 * (for tests across processes and for demonstrating a date's cases).
 */
import { ConfigurationError } from '../config/env.js';
import { chinaDate } from './calendarDate.js';

/** The current instant and, from it, today's date in Beijing. */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /** Today's date in China Standard Time (YYYY-MM-DD). */
  today(): string;
}

/** The wall clock. */
export const systemClock: Clock = clockAt(() => Date.now());

/** A clock that reads `epochMs()`. */
export function clockAt(epochMs: () => number): Clock {
  return {
    now: () => new Date(epochMs()),
    today: () => chinaDate(new Date(epochMs())),
  };
}

/** A clock that stands still at `at` until moved: for tests. */
export class ManualClock implements Clock {
  private at: number;

  constructor(at: Date | string) {
    this.at = new Date(at).getTime();
    if (Number.isNaN(this.at)) throw new RangeError(`a clock starts at an instant, not ${JSON.stringify(at)}`);
  }

  now(): Date {
    return new Date(this.at);
  }

  today(): string {
    return chinaDate(this.now());
  }

  /** Moves the clock to `at`. */
  set(at: Date | string): void {
    this.at = new Date(at).getTime();
  }

  /** Moves the clock on by `ms` milliseconds. */
  advance(ms: number): void {
    this.at += ms;
  }
}

/**
 * The process's clock: `MEG_CLOCK` (an ISO 8601 instant with its offset, e.g.
 * `2026-03-02T09:00:00+08:00`) starts it at that instant, running on in real time; unset, the wall
 * clock.
 */
export function clockFrom(env: Readonly<Record<string, string | undefined>>): Clock {
  const raw = env.MEG_CLOCK;
  if (raw === undefined || raw === '') return systemClock;
  const start = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(start)) {
    throw new ConfigurationError(`MEG_CLOCK=${JSON.stringify(raw)} is not an instant with its offset (expected e.g. 2026-03-02T09:00:00+08:00)`);
  }
  const startedAt = Date.now();
  return clockAt(() => start + (Date.now() - startedAt));
}
