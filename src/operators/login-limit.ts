import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { clientKey } from '../rate-limit/client-key.ts';
import { normaliseEmail } from './accounts.ts';

/** s; the window the login limits are counted over (loginAttemptsPerAccount, loginAttemptsPerAddress). */
const WINDOW_S = 900;

/**
 * Counts a password check against its account's email and its client address, across every
 * API process (the shared limiter), before the password is hashed: a guesser is slowed per
 * account (however many addresses it has) and per address (however many accounts it tries).
 * Each is a bucket of N attempts refilling over 15 minutes. Sign-in and the checks made
 * inside a session (changing the password, removing the second factor) draw on the same
 * buckets, so a stolen session cookie gives no more guesses at the password than the
 * sign-in form does. Unlike the browser routes' limit, a limiter that cannot be reached
 * refuses the attempt (`not_ready`, 503): letting checks through would leave passwords and
 * codes open to unlimited guessing.
 */
export async function limitLogin(ctx: Context, email: string, address: string, log: { warn(obj: object, msg: string): void }): Promise<void> {
  const { loginAttemptsPerAccount: perAccount, loginAttemptsPerAddress: perAddress } = ctx.config;
  const checks: [string, number][] = [
    [`login:account:${normaliseEmail(email)}`, perAccount],
    [`login:address:${clientKey(address)}`, perAddress],
  ];
  for (const [key, max] of checks) {
    if (max <= 0) continue;
    let wait: number;
    try {
      wait = await ctx.limiter.take(key, 1, max / WINDOW_S, max);
    } catch (err) {
      log.warn({ err }, 'login rate limit unavailable; password check refused');
      throw new ApiError('not_ready', 'Password checks are paused: the shared rate limiter cannot be reached; try again shortly');
    }
    if (wait > 0) {
      const retryAfter = Math.ceil(wait / 1000);
      throw new ApiError('rate_limited', `Too many password attempts; try again in ${retryAfter} s`, { retryAfter });
    }
  }
}
