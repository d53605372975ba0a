import type { Context } from '../context.ts';
import { challengeSignals } from './challenge-signals.ts';
import { challengeView, readChallenge, type ChallengeView } from './challenges.ts';

/** s; the longest `wait` of GET …/mfa/challenges/{id}: below the idle timeouts of common proxies (60 s), above a typical sign-in. */
export const MAX_CHALLENGE_WAIT = 30;

/**
 * A challenge as it stands, once it is no longer pending or after `wait` seconds, whichever
 * comes first (a long poll: the login server asks once and hears of the answer at once).
 * No busy loop: it sleeps until this process closes the challenge, until its expiry is due
 * (then the re-read closes it as expired), or for `mfaWaitRecheck` ms, and reads it again.
 */
export async function waitForChallenge(ctx: Context, appId: string, id: string, wait: number, abort?: AbortSignal): Promise<ChallengeView> {
  const signals = challengeSignals(ctx);
  const deadline = Date.now() + Math.min(wait, MAX_CHALLENGE_WAIT) * 1000;
  let row = await readChallenge(ctx, appId, id);
  while (row.status === 'pending' && !signals.closed && !abort?.aborted) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    // The expiry is on the server's clock; a pause past it would answer "pending" for a challenge already over.
    const toExpiry = Math.max(0, Number(row.expires_at) - ctx.now()) + 1;
    await signals.wait(id, Math.min(left, ctx.config.mfaWaitRecheck, toExpiry), abort);
    row = await readChallenge(ctx, appId, id);
  }
  return challengeView(row);
}
