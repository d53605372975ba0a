import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { IDLE_MS, bucketSize, idleMs, type RateLimiter } from './rate-limiter.ts';

/**
 * The token bucket of MemoryRateLimiter as one Lua script, so that every worker on every
 * machine takes from the same bucket atomically, on Redis's clock (no clock skew between
 * machines). A hash per key: t = tokens, s = when t was computed, p = paused until (ms).
 */
const TAKE = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 't', 's', 'p')
local paused = tonumber(state[3] or '0')
if paused > now then return paused - now end
local rate = tonumber(ARGV[1])
if rate <= 0 then return 0 end
local size = math.max(1, math.floor(tonumber(ARGV[4]) or rate))
local want = math.min(tonumber(ARGV[2]), size)
local tokens = tonumber(state[1] or size)
local at = tonumber(state[2] or now)
tokens = math.min(size, tokens + (now - at) * rate / 1000)
local wait = 0
if tokens >= want then tokens = tokens - want else wait = math.ceil((want - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 's', now)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return wait
`;

const PAUSE = `
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local until_ms = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('HGET', KEYS[1], 'p') or '0')
if until_ms > paused then redis.call('HSET', KEYS[1], 'p', until_ms) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[1]) + tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2])) end
return 0
`;

/** ms a limiter command may take before it counts as failed. */
const COMMAND_TIMEOUT_MS = 1_000;


type LimiterRedis = Redis & {
  carillonTake(key: string, rate: number, n: number, idleMs: number, burst: number | ''): Promise<number>;
  carillonPause(key: string, ms: number, idleMs: number): Promise<number>;
};

export interface RedisRateLimiterOptions {
  redisUrl: string;
  /** Namespaces the keys, as the queue's prefix does: installations can share a Redis. */
  prefix: string;
  logger: Logger;
}

/** Buckets in Redis: one rate per key for all the workers of an installation. */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: LimiterRedis;
  readonly #prefix: string;

  constructor(opts: RedisRateLimiterOptions) {
    // A command fails after one reconnection attempt, or after a second without an answer,
    // rather than waiting on Redis for good: a browser's request is then let through, a
    // batch's recipients are retried later.
    const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS });
    redis.on('error', (err) => opts.logger.warn({ err }, 'rate limiter redis connection error'));
    redis.defineCommand('carillonTake', { numberOfKeys: 1, lua: TAKE });
    redis.defineCommand('carillonPause', { numberOfKeys: 1, lua: PAUSE });
    this.#redis = redis as LimiterRedis;
    this.#prefix = `${opts.prefix}:rate:`;
  }

  async take(key: string, n: number, rate: number, burst?: number): Promise<number> {
    // The bucket outlives its last use until it would be full again: forgetting it then changes nothing.
    return Number(await this.#redis.carillonTake(this.#prefix + key, rate, n, idleMs(bucketSize(rate, burst), rate), burst ?? ''));
  }

  async pause(key: string, ms: number): Promise<void> {
    await this.#redis.carillonPause(this.#prefix + key, Math.ceil(ms), IDLE_MS);
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
