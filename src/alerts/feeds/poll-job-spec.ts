import type { JobSpec } from '../../queue/queue.ts';

export const FEED_POLL_JOB = 'alert-feed.poll';

/**
 * Poll number `seq` of a feed (its poll_seq), due at `at`, keyed by both: adding it twice
 * queues it once, and a poll scheduled anew (a PATCH, the poll before it) is a new key.
 */
export function feedPollJobSpec(feedId: string, seq: number, at: number): JobSpec {
  return { name: FEED_POLL_JOB, data: { feedId, seq }, runAt: at, key: `${FEED_POLL_JOB}:${feedId}:${seq}` };
}
