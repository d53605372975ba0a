import type { Context } from '../context.ts';
import { FANOUT_JOB } from '../notifications/notifications.ts';
import { DELIVER_JOB } from './batches.ts';

/**
 * The store, not the queue, is the record of unfinished work. Every so often a worker
 * queues again what the store says is unfinished and has been quiet too long: a batch not
 * done, a fan-out not finished. Keys dedupe against jobs the queue still holds, so this
 * only brings back jobs the queue lost (a Redis that restarted without its data).
 */
export async function reconcile(ctx: Context): Promise<{ batches: number; fanouts: number }> {
  const now = ctx.now();
  // Past any lease and any retry delay, a live job would have run or be held.
  const quietFor = ctx.config.queueLease * 2 + ctx.config.retryMax;
  const batches = await ctx.store.db
    .selectFrom('delivery_batches')
    .select('id')
    .where('done', '=', 0)
    .where('created_at', '<', now - quietFor)
    .orderBy('id')
    .limit(1000)
    .execute();
  const fanouts = await ctx.store.db
    .selectFrom('notifications')
    .select(['id', 'fanout_cursor'])
    .where('fanout_done', '=', 0)
    .where('status', 'in', ['queued', 'sending', 'scheduled'])
    .where('send_at', '<', now - quietFor)
    .limit(1000)
    .execute();
  await ctx.queue.add([
    ...batches.map((b) => ({ name: DELIVER_JOB, data: { batchId: Number(b.id) }, key: `deliver:${b.id}` })),
    ...fanouts.map((n) => ({ name: FANOUT_JOB, data: { notificationId: n.id }, key: `fanout:${n.id}:${n.fanout_cursor}` })),
  ]);
  if (batches.length || fanouts.length) ctx.logger.info({ batches: batches.length, fanouts: fanouts.length }, 'reconcile: re-queued unfinished work (deduplicated against live jobs)');
  return { batches: batches.length, fanouts: fanouts.length };
}
