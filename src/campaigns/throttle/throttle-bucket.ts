/**
 * A campaign's throttle (`throttle: {"perMinute": N}`) as a token bucket with a waiting
 * line, pure: the state and the clock are passed in, the new state comes back, so the
 * store (throttle-store.ts) can keep it in one row that every worker updates in turn.
 *
 * The bucket holds at most `size` tokens (one second's worth, at least 1) and refills at
 * `(N - size + 1) / 60` a second: in any minute (a half-open span of 60 s) it can give at
 * most `size` it held at the start plus less than `N - size + 1` that came in, so at most
 * N sends, as the throttle promises. Sustained, that is `N - size + 1` a minute (N less a
 * second's worth, under 2% for any N).
 *
 * The waiting line keeps big audiences from re-queuing without end: a batch whose sends
 * cannot all go now is told to come back when the sends already waiting and its own first
 * `size` will have been made, so waiting batches wake one after another instead of all at
 * each refill. `waiting` is an estimate (a send that comes back is not told apart from a
 * new one); a bucket found full means nobody took for a while, and the line is forgotten.
 */
export interface ThrottleState {
  /** Tokens at `at`; fractional. */
  tokens: number;
  /** unix ms the state was computed. */
  at: number;
  /** Sends told to wait and not yet come back (an estimate). */
  waiting: number;
}

export interface ThrottleRate {
  perMinute: number;
  /** Tokens the bucket holds at most: one second's worth, at least 1. */
  size: number;
  /** Tokens a ms. */
  perMs: number;
}

export interface ThrottleTake {
  state: ThrottleState;
  /** Sends that may go now. */
  granted: number;
  /** ms the rest should wait before asking again; 0 when all were granted. */
  waitMs: number;
}

/** The bucket of `perMinute`. */
export function throttleRate(perMinute: number): ThrottleRate {
  const size = Math.max(1, Math.floor(perMinute / 60));
  return { perMinute, size, perMs: (perMinute - size + 1) / 60_000 };
}

/** A bucket never used: full, nobody waiting. */
export function freshState(rate: ThrottleRate, now: number): ThrottleState {
  return { tokens: rate.size, at: now, waiting: 0 };
}

/**
 * Takes up to `n` tokens at `now`: as many as the bucket holds (whole ones), the rest told
 * when to come back. A clock behind `at` (another worker's runs a little ahead) refills
 * nothing rather than taking tokens back.
 */
export function takeTokens(state: ThrottleState, rate: ThrottleRate, n: number, now: number): ThrottleTake {
  const elapsed = Math.max(0, now - state.at);
  let tokens = Math.min(rate.size, state.tokens + elapsed * rate.perMs);
  let waiting = tokens >= rate.size ? 0 : state.waiting;
  const granted = Math.min(n, Math.floor(tokens + 1e-9));
  tokens = Math.max(0, tokens - granted);
  waiting = Math.max(0, waiting - granted);
  const rest = n - granted;
  let waitMs = 0;
  if (rest > 0) {
    // Back when the line ahead and this batch's first bucketful will have come in.
    const needed = waiting + Math.min(rest, rate.size) - tokens;
    waitMs = Math.max(1, Math.ceil(needed / rate.perMs));
    waiting += rest;
  }
  return { state: { tokens, at: Math.max(state.at, now), waiting }, granted, waitMs };
}
