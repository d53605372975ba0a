import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import type { JobSpec } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';

export const DELIVER_JOB = 'deliver';

/** The job that sends batch `batchId`; its key names the batch, so adding it twice queues it once. */
export function deliverJobSpec(batchId: number, opts: { runAt?: number; priority?: number } = {}): JobSpec {
  return { name: DELIVER_JOB, data: { batchId }, key: `deliver:${batchId}`, ...opts };
}

export interface NewBatch {
  notificationId: string;
  /** The recipients' seqs, ascending: a page of the audience, or the recipients to retry. */
  seqs: number[];
  attempt: number;
}

/**
 * Records a delivery batch and queues its job in the caller's transaction, so the batch
 * exists exactly when its job does.
 */
export async function scheduleBatch(ctx: Context, tx: Transaction<Database>, batch: NewBatch, job: { runAt?: number; priority: number }): Promise<number> {
  const row = await tx
    .insertInto('delivery_batches')
    .values({
      notification_id: batch.notificationId,
      from_seq: batch.seqs[0]!,
      to_seq: batch.seqs.at(-1)!,
      seqs: JSON.stringify(batch.seqs),
      attempt: batch.attempt,
      size: batch.seqs.length,
      done: 0,
      delivered: 0,
      failed: 0,
      expired: 0,
      pruned: 0,
      retrying: 0,
      created_at: ctx.now(),
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  await ctx.queue.add([deliverJobSpec(id, { runAt: job.runAt, priority: job.priority })], tx);
  return id;
}
