/** The process clock: the wall clock, or one started at an instant for tests across processes. */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../config/env.js';
import { ManualClock, clockFrom, systemClock } from './clock.js';

describe('clockFrom', () => {
  it('is the wall clock when MEG_CLOCK is unset', () => {
    expect(clockFrom({})).toBe(systemClock);
  });

  it('starts at MEG_CLOCK and runs on from there', () => {
    const clock = clockFrom({ MEG_CLOCK: '2026-02-13T23:30:00+08:00' });
    const elapsed = clock.now().getTime() - Date.parse('2026-02-13T15:30:00Z');
    expect(elapsed).toBeGreaterThanOrEqual(0);
    expect(elapsed).toBeLessThan(60_000);
    expect(clock.today()).toBe('2026-02-13');
  });

  it('refuses an instant without its offset, naming what it expected', () => {
    for (const value of ['2026-02-13', '2026-02-13T09:00:00', 'yesterday']) {
      expect(() => clockFrom({ MEG_CLOCK: value })).toThrow(ConfigurationError);
    }
    expect(() => clockFrom({ MEG_CLOCK: 'yesterday' })).toThrow('MEG_CLOCK="yesterday" is not an instant with its offset (expected e.g. 2026-03-02T09:00:00+08:00)');
  });
});

describe('ManualClock', () => {
  it("dates today in Beijing: 16:00 UTC is the next day's midnight there", () => {
    const clock = new ManualClock('2026-02-13T15:59:59Z');
    expect(clock.today()).toBe('2026-02-13');
    clock.advance(1000);
    expect(clock.today()).toBe('2026-02-14');
    clock.set('2026-10-01T00:00:00+08:00');
    expect(clock.today()).toBe('2026-10-01');
  });
});
