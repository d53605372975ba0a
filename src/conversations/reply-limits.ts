import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { clientKey } from '../rate-limit/client-key.ts';

/** s; the window of replyPerAddress and replyPerToken. */
const WINDOW_S = 60;

type Log = { warn(obj: object, msg: string): void };

/**
 * POST /v1/reply takes no API key, so it is rated per client address before anything is
 * read, and per thread and device once the token verifies (so a forger cannot spend a
 * user's allowance), across every API process (the shared limiter): buckets of N requests
 * refilling over a minute. A limiter that cannot be reached lets the request through, as on
 * the other public routes: a token carries a 128-bit tag, so guessing is bounded without it.
 */
export async function limitReplyAddress(ctx: Context, address: string, log: Log): Promise<void> {
  await takeReplyAllowance(ctx, `reply:address:${clientKey(address)}`, ctx.config.replyPerAddress, 'Too many replies from this address', log);
}

export async function limitReplyToken(ctx: Context, conversationId: string, subscriptionId: string, log: Log): Promise<void> {
  await takeReplyAllowance(ctx, `reply:thread:${conversationId}:${subscriptionId}`, ctx.config.replyPerToken, 'Too many replies in this conversation', log);
}

/** Takes one from bucket `key` (`max` a minute), or refuses with rate_limited naming `what`; lets through when the limiter is down. */
export async function takeReplyAllowance(ctx: Context, key: string, max: number, what: string, log: Log): Promise<void> {
  if (max <= 0) return;
  let wait: number;
  try {
    wait = await ctx.limiter.take(key, 1, max / WINDOW_S, max);
  } catch (err) {
    log.warn({ err }, 'reply rate limit unavailable; request let through');
    return;
  }
  if (wait === 0) return;
  const retryAfter = Math.ceil(wait / 1000);
  throw new ApiError('rate_limited', `${what}; try again in ${retryAfter} s`, { retryAfter });
}
