import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import { DELIVER_JOB, deliverJobSpec } from './batches.ts';
import { runDeliver, type DeliverDeps } from './deliver.ts';
import { FANOUT_JOB, fanoutJobSpec, runFanout, type FanoutDeps } from './fanout.ts';

/** Jobs of one kind brought back per reconcile pass at most; the next pass takes the rest. */
const RECONCILE_LIMIT = 1000;

/** Sends one batch (deliver.ts); a batch row not yet done is its unfinished work. */
export function deliverJob(ctx: Context, deps: DeliverDeps): JobKind {
  return {
    name: DELIVER_JOB,
    handler: (job) => runDeliver(ctx, deps, job),
    async reconcile(before) {
      // On the lane of its notification (migration 040): a lost urgent batch comes back urgent.
      const batches = await ctx.store.db
        .selectFrom('delivery_batches as b')
        .innerJoin('notifications as n', 'n.id', 'b.notification_id')
        .select(['b.id', 'n.priority'])
        .where('b.done', '=', 0)
        .where('b.created_at', '<', before)
        .orderBy('b.id')
        .limit(RECONCILE_LIMIT)
        .execute();
      return batches.map((b) => deliverJobSpec(Number(b.id), { priority: Number(b.priority) }));
    },
  };
}

/** Cuts a notification's audience into batches (fanout.ts); a notification due and not fully cut is its unfinished work. */
export function fanoutJob(ctx: Context, deps: FanoutDeps): JobKind {
  return {
    name: FANOUT_JOB,
    handler: (job) => runFanout(ctx, deps, job),
    async reconcile(before) {
      const fanouts = await ctx.store.db
        .selectFrom('notifications')
        .select(['id', 'fanout_cursor', 'priority'])
        .where('fanout_done', '=', 0)
        .where('status', 'in', ['queued', 'sending', 'scheduled'])
        .where('send_at', '<', before)
        .limit(RECONCILE_LIMIT)
        .execute();
      return fanouts.map((n) => fanoutJobSpec(n.id, n.fanout_cursor, { priority: Number(n.priority) }));
    },
  };
}

/** The job kinds of the delivery pipeline: what a worker takes, and what the reconcile pass looks for. */
export function deliveryJobs(ctx: Context, deps: DeliverDeps & FanoutDeps): JobKind[] {
  return [deliverJob(ctx, deps), fanoutJob(ctx, deps)];
}
