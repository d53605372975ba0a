import type { Context } from '../../context.ts';
import type { JobKind } from '../../queue/job-kind.ts';
import { pollFeed, type PollDeps } from './poll.ts';
import { FEED_POLL_JOB, feedPollJobSpec } from './poll-job-spec.ts';

/**
 * The feed poll job: each poll queues the feed's next in the transaction that records it,
 * so a feed is a chain of jobs on the injected clock. A chain the queue lost (a crash
 * between the two) shows as a feed overdue in the store, and reconcile adds its job back
 * under the same key, which dedupes against one still queued.
 */
export function feedPollJob(ctx: Context, deps: PollDeps): JobKind {
  return {
    name: FEED_POLL_JOB,
    async handler(job) {
      const { feedId, seq } = job.data as { feedId: string; seq: number };
      await pollFeed(ctx, deps, feedId, seq);
    },
    async reconcile(before) {
      const rows = await ctx.store.db.selectFrom('alert_feeds').select(['id', 'poll_seq', 'next_poll_at']).where('next_poll_at', '<', before).orderBy('next_poll_at').limit(1000).execute();
      return rows.map((r) => feedPollJobSpec(r.id, Number(r.poll_seq), Number(r.next_poll_at)));
    },
  };
}
