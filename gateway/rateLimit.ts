/**
 * Rate limits per principal: a token bucket per caller (a token holder by its subject, the
 * public by its address). In memory by default, each gateway process keeping its own buckets;
 * shared through Redis when configured, so that every replica and worker draws from one bucket.
 *
 * If Redis cannot be reached, the gateway keeps limiting with its own buckets (and says so in
 * its log) rather than stopping: a replica then allows its share, never an unlimited amount.
 */
import { Redis } from 'ioredis';
import { logger } from '../platform/observability/logger.js';

/** How fast a bucket refills and how much it holds. */
export interface BucketSettings {
  /** Requests per second, sustained. */
  readonly perSecond: number;
  /** Requests allowed at once (the bucket's size). */
  readonly burst: number;
}

/** The outcome of asking for one request. */
export interface RateDecision {
  readonly allowed: boolean;
  /** When refused: seconds until one request will be allowed (for Retry-After). */
  readonly retryAfterSeconds: number;
}

/** Takes one request from the bucket of `key`. */
export interface RateLimiter {
  take(key: string, settings: BucketSettings): Promise<RateDecision>;
  close(): Promise<void>;
}

/** Largest number of buckets kept in memory; the idlest go first (a full bucket loses nothing). */
const MAX_BUCKETS = 100_000;

/** Buckets in this process. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  async take(key: string, settings: BucketSettings): Promise<RateDecision> {
    return this.takeNow(key, settings);
  }

  takeNow(key: string, settings: BucketSettings): RateDecision {
    const now = this.now();
    const bucket = this.buckets.get(key);
    let tokens = settings.burst;
    if (bucket) {
      tokens = Math.min(settings.burst, bucket.tokens + ((now - bucket.at) / 1000) * settings.perSecond);
      this.buckets.delete(key); // re-inserted below: the map stays in order of last use
    }
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    this.buckets.set(key, { tokens, at: now });
    if (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
    return { allowed, retryAfterSeconds: allowed ? 0 : Math.ceil((1 - tokens) / settings.perSecond) };
  }

  async close(): Promise<void> {}
}

/**
 * One bucket per key in Redis, refilled and taken in one atomic script with Redis's own clock
 * (replicas' clocks do not have to agree). A bucket left alone expires once it would be full.
 */
const TAKE_SCRIPT = `
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then
  tokens = burst
else
  tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
end
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', key, math.ceil(burst / rate * 1000) + 1000)
return { allowed, tostring(tokens) }
`;

/** Buckets shared by every gateway that uses the same Redis. */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: Redis;
  private readonly fallback = new MemoryRateLimiter();
  private warned = false;

  constructor(
    url: string,
    private readonly prefix = 'meg:ratelimit:',
  ) {
    this.redis = new Redis(url, {
      // A request must not wait for Redis to come back: fail over to local buckets at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      commandTimeout: 250,
      lazyConnect: false,
    });
    this.redis.on('error', () => this.warn());
    this.redis.defineCommand('megTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  }

  /** Resolves once connected, or after `timeoutMs` (then it limits locally until Redis is reached). */
  async connected(timeoutMs = 2_000): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  async take(key: string, settings: BucketSettings): Promise<RateDecision> {
    try {
      const [allowed, tokens] = await (this.redis as unknown as { megTake(k: string, r: number, b: number): Promise<[number, string]> }).megTake(this.prefix + key, settings.perSecond, settings.burst);
      if (this.warned) {
        this.warned = false;
        logger().info('rate limits: Redis is back; buckets are shared again');
      }
      return { allowed: allowed === 1, retryAfterSeconds: allowed === 1 ? 0 : Math.ceil((1 - Number(tokens)) / settings.perSecond) };
    } catch {
      this.warn();
      return this.fallback.takeNow(key, settings);
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private warn(): void {
    if (this.warned) return;
    this.warned = true;
    logger().warn("rate limits: Redis cannot be reached; limiting with this process's own buckets until it is back");
  }
}
