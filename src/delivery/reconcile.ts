import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';

/**
 * The store, not the queue, is the record of unfinished work. Every so often a worker
 * queues again what the store says is unfinished and has been quiet too long, asking each
 * job kind for its own (a batch not done, a fan-out not finished). Keys dedupe against
 * jobs the queue still holds, so this only brings back jobs the queue lost (a Redis that
 * restarted without its data). Returns how many jobs of each kind were added again.
 */
export async function reconcile(ctx: Context, kinds: readonly JobKind[]): Promise<Record<string, number>> {
  const now = ctx.now();
  // Past any lease and any retry delay, a live job would have run or be held.
  const quietFor = ctx.config.queueLease * 2 + ctx.config.retryMax;
  const requeued: Record<string, number> = {};
  const jobs = [];
  for (const kind of kinds) {
    const found = kind.reconcile ? await kind.reconcile(now - quietFor) : [];
    requeued[kind.name] = found.length;
    jobs.push(...found);
  }
  await ctx.queue.add(jobs);
  if (jobs.length) ctx.logger.info({ requeued }, 'reconcile: re-queued unfinished work (deduplicated against live jobs)');
  return requeued;
}
