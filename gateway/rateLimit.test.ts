import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter, RedisRateLimiter } from './rateLimit.js';

const REDIS_URL = process.env['MEG_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describe('in-memory token bucket', () => {
  it('allows the burst, then one request per refill interval, and says when to come back', () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(() => now);
    const settings = { perSecond: 2, burst: 3 };
    expect([1, 2, 3, 4].map(() => limiter.takeNow('a', settings).allowed)).toEqual([true, true, true, false]);
    expect(limiter.takeNow('a', settings).retryAfterSeconds).toBe(1);
    // Another caller has a bucket of its own.
    expect(limiter.takeNow('b', settings).allowed).toBe(true);
    now = 500; // half a second: one request's worth
    expect(limiter.takeNow('a', settings).allowed).toBe(true);
    expect(limiter.takeNow('a', settings).allowed).toBe(false);
    now = 60_000; // refilled to the burst, no more
    expect([1, 2, 3, 4].map(() => limiter.takeNow('a', settings).allowed)).toEqual([true, true, true, false]);
  });
});

describe('token bucket shared through Redis', () => {
  const replicas = [new RedisRateLimiter(REDIS_URL), new RedisRateLimiter(REDIS_URL)];
  afterAll(async () => {
    for (const r of replicas) await r.close();
  });

  it('enforces one limit across replicas', async () => {
    for (const r of replicas) expect(await r.connected()).toBe(true);
    const key = `test-${randomUUID()}`;
    // One token in a thousand seconds: nothing refills while the test runs, however slow the machine.
    const settings = { perSecond: 0.001, burst: 4 };
    const decisions = [];
    for (let i = 0; i < 8; i++) decisions.push(await replicas[i % 2]!.take(key, settings));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, false, false, false, false]);
    expect(decisions.at(-1)).toEqual({ allowed: false, retryAfterSeconds: 1000 });
  });

  it('keeps limiting with its own buckets while Redis cannot be reached', async () => {
    const unreachable = new RedisRateLimiter('redis://127.0.0.1:1');
    try {
      const settings = { perSecond: 0.001, burst: 2 };
      const decisions = [];
      for (let i = 0; i < 4; i++) decisions.push((await unreachable.take('k', settings)).allowed);
      expect(decisions).toEqual([true, true, false, false]);
    } finally {
      await unreachable.close();
    }
  });
});
