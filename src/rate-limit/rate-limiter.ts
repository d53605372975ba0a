/**
 * Sending rates per push service origin (Web Push) and per provider and app (APNs, FCM),
 * shared by every worker that uses the same limiter: in one process the memory limiter,
 * across processes and machines the Redis one (src/rate-limit/redis-rate-limiter.ts).
 *
 * Each key is a token bucket of `rate` tokens a second holding at most one second's
 * worth (or a burst of its own), and can be paused: a push service that answers 429 or
 * 503 with Retry-After is left alone by all workers until then, not only by the one that
 * was told.
 */
export interface RateLimiter {
  /**
   * Takes `n` tokens of `key` at `rate` a second (0: no limit, only pauses apply), all or
   * none, from a bucket of `burst` tokens (default: one second's worth). Resolves with 0
   * when they were taken, else with the ms to wait before asking again (nothing is taken
   * then).
   */
  take(key: string, n: number, rate: number, burst?: number): Promise<number>;
  /** Holds every `take` of `key` for `ms`, from now; a longer pause already set stays. */
  pause(key: string, ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Tokens a bucket holds at `rate`: `burst` when given, else one second's worth; one take never asks for more. */
export function bucketSize(rate: number, burst?: number): number {
  return Math.max(1, Math.floor(burst ?? rate));
}

interface Bucket {
  /** null until a take: a bucket made by a pause is full, as in Redis. */
  tokens: number | null;
  /** ms of idleness after which this bucket is full again and can be forgotten. */
  idleMs: number;
  /** ms; when `tokens` was last brought up to date. */
  at: number;
  pausedUntil: number;
}

/** ms; buckets idle this long, or as long as they take to fill if longer, can be forgotten. */
export const IDLE_MS = 60_000;

/** ms until a bucket of `size` refills at `rate`, and at least IDLE_MS: forgetting it then changes nothing. */
export function idleMs(size: number, rate: number): number {
  return rate > 0 ? Math.max(IDLE_MS, Math.ceil((size * 1000) / rate)) : IDLE_MS;
}

/** The limiter of a single process (the embedded set-up): buckets in a Map. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  #sweptAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, n: number, rate: number, burst?: number): Promise<number> {
    const now = this.now();
    this.#sweep(now);
    const size = bucketSize(rate, burst);
    const bucket = this.#bucket(key, now);
    if (bucket.pausedUntil > now) return bucket.pausedUntil - now;
    if (rate <= 0) return 0;
    bucket.idleMs = idleMs(size, rate);
    bucket.tokens = bucket.tokens === null ? size : Math.min(size, bucket.tokens + ((now - bucket.at) * rate) / 1000);
    bucket.at = now;
    const want = Math.min(n, size);
    if (bucket.tokens >= want) {
      bucket.tokens -= want;
      return 0;
    }
    return Math.ceil(((want - bucket.tokens) * 1000) / rate);
  }

  async pause(key: string, ms: number): Promise<void> {
    const now = this.now();
    const bucket = this.#bucket(key, now);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, now + ms);
  }

  async close(): Promise<void> {
    this.#buckets.clear();
  }

  #bucket(key: string, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: null, idleMs: IDLE_MS, at: now, pausedUntil: 0 };
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  #sweep(now: number): void {
    if (now - this.#sweptAt < IDLE_MS) return;
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.at > bucket.idleMs && bucket.pausedUntil <= now) this.#buckets.delete(key);
    }
  }
}
