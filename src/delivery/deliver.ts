import type { Context } from '../context.ts';
import type { OutgoingMessage, Recipient, Sender } from '../providers/channel.ts';
import type { Outcome } from '../providers/outcome.ts';
import type { MessageContent } from '../message/content.ts';
import type { Job } from '../queue/queue.ts';
import { retryDelay } from './backoff.ts';
import { finishIfComplete, lockNotification } from './completion.ts';
import { scheduleBatch } from './batches.ts';
import type { DeliveryMetrics } from './metrics.ts';

/** s; how late a message with ttl 0 ("now or never") may still go out, for the queue's own delay. */
const ZERO_TTL_GRACE = 30;

export interface DeliverDeps {
  /** A sender per channel name. */
  senders: ReadonlyMap<string, Sender>;
  metrics?: DeliveryMetrics;
}

/** Sends to each channel's recipients through its sender; outcomes come back in recipient order. */
async function sendByChannel(deps: DeliverDeps, recipients: (Recipient & { channel: string })[], message: OutgoingMessage, ctx: Context): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(recipients.length);
  const groups = new Map<string, number[]>();
  recipients.forEach((r, i) => groups.set(r.channel, [...(groups.get(r.channel) ?? []), i]));
  await Promise.all(
    [...groups].map(async ([channel, indexes]) => {
      const sender = deps.senders.get(channel);
      let results: Outcome[];
      if (!sender) {
        results = indexes.map(() => ({ kind: 'rejected', reason: `no sender for channel ${channel} in this process` }));
      } else {
        try {
          results = await sender.send(indexes.map((i) => recipients[i]!), message);
        } catch (err) {
          // A failure of the sender itself (its credentials could not be read, a crypto
          // thread died) is retried per recipient like any transient failure, so the batch
          // still ends, counted, when the attempts run out: it is never left open.
          ctx.logger.error({ err, channel, notification: message.id }, 'sender failed; the batch will be retried');
          results = indexes.map(() => ({ kind: 'retry', reason: `sender error: ${(err as Error)?.message ?? err}` }));
        }
      }
      indexes.forEach((recipientIndex, k) => (outcomes[recipientIndex] = results[k]!));
      deps.metrics?.observeOutcomes(channel, results);
    }),
  );
  return outcomes;
}

/**
 * Sends one batch and records its outcomes. The batch row is the durable record: it is
 * marked done, with its counts, in the same transaction that prunes gone subscriptions
 * and schedules the retries, so a batch re-run after a crash is either skipped (done) or
 * sent again in full (at least once; receivers drop copies by `data.id` and `Topic`).
 */
export async function runDeliver(ctx: Context, deps: DeliverDeps, job: Job): Promise<void> {
  const { batchId } = job.data as { batchId: number };
  const db = ctx.store.db;
  const batch = await db.selectFrom('delivery_batches').selectAll().where('id', '=', batchId).executeTakeFirst();
  if (!batch || batch.done) return;
  const n = await db.selectFrom('notifications').selectAll().where('id', '=', batch.notification_id).executeTakeFirstOrThrow();

  // The batch lists the recipients the fan-out counted as targeted, so a subscription that
  // joined the audience later (a tag changed in place) is neither sent to nor miscounted.
  const seqs: number[] = JSON.parse(batch.seqs);
  const recipients = (
    await db
      .selectFrom('subscriptions')
      .select(['seq', 'id', 'channel', 'address', 'p256dh', 'auth', 'environment', 'app_topic', 'updated_at'])
      .where('app_id', '=', n.app_id)
      .where('seq', 'in', seqs.length ? seqs : [-1])
      .execute()
  ).map(({ app_topic, ...r }) => ({ ...r, appTopic: app_topic, seq: Number(r.seq) }));
  // Subscriptions deleted since the fan-out cut this batch are accounted as failed.
  const unsubscribed = batch.size - recipients.length;

  const counts = { delivered: 0, failed: unsubscribed, expired: 0, pruned: 0, retrying: 0 };
  const sendStarted = ctx.now();
  const pruned: number[] = [];
  const failures: { subscription_id: string; outcome: string; status_code: number | null; reason: string }[] = [];
  const retry: number[] = [];
  let retryAfter = 0;

  // RFC 8030 §5.2: the TTL runs from when the message was due; a retry carries what is
  // left of it, and a message whose TTL ran out (say, the server was down) is not sent.
  // A ttl of 0 means now or never: it gets a short grace for the queue, not hours.
  const elapsed = Math.max(0, Math.floor((ctx.now() - n.send_at) / 1000));
  const remainingTtl = n.ttl - elapsed;
  if (n.ttl === 0 ? batch.attempt > 1 || elapsed > ZERO_TTL_GRACE : remainingTtl <= 0) {
    counts.expired += recipients.length;
  } else {
    const started = ctx.now();
    const message: OutgoingMessage = {
      id: n.id,
      appId: n.app_id,
      content: JSON.parse(n.content) as MessageContent,
      ttl: Math.max(0, remainingTtl),
      urgency: n.urgency as OutgoingMessage['urgency'],
      topic: n.topic,
    };
    const outcomes = await sendByChannel(deps, recipients, message, ctx);
    deps.metrics?.observeBatch((ctx.now() - started) / 1000);
    deps.metrics?.observeLatency((ctx.now() - n.send_at) / 1000, outcomes.filter((o) => o.kind === 'delivered').length);
    recipients.forEach((r, i) => {
      const o = outcomes[i]!;
      switch (o.kind) {
        case 'delivered':
          counts.delivered++;
          return;
        case 'gone':
          counts.pruned++;
          pruned.push(r.seq);
          failures.push({ subscription_id: r.id, outcome: o.kind, status_code: o.status, reason: o.reason });
          return;
        case 'rejected':
          counts.failed++;
          failures.push({ subscription_id: r.id, outcome: o.kind, status_code: o.status ?? null, reason: o.reason });
          return;
        case 'retry':
        case 'throttled':
          if (batch.attempt >= ctx.config.maxAttempts && !(o.kind === 'retry' && o.deferred)) {
            counts.failed++;
            failures.push({ subscription_id: r.id, outcome: o.kind, status_code: o.status ?? null, reason: `gave up after ${batch.attempt} attempts: ${o.reason}` });
            return;
          }
          counts.retrying++;
          retry.push(r.seq);
          retryAfter = Math.max(retryAfter, o.afterMs ?? retryDelay(batch.attempt, ctx.config.retryBase, ctx.config.retryMax));
      }
    });
  }

  const at = ctx.now();
  await db.transaction().execute(async (tx) => {
    await lockNotification(tx, n.id);
    const still = await tx.selectFrom('delivery_batches').select('done').where('id', '=', batchId).executeTakeFirstOrThrow();
    if (still.done) return;
    await tx
      .updateTable('delivery_batches')
      .set({ done: 1, finished_at: at, ...counts })
      .where('id', '=', batchId)
      .execute();
    // Only as they were sent to: a subscription renewed meanwhile (new keys) is kept.
    if (pruned.length) await tx.deleteFrom('subscriptions').where('app_id', '=', n.app_id).where('seq', 'in', pruned).where('updated_at', '<=', sendStarted).execute();
    if (failures.length) await tx.insertInto('delivery_failures').values(failures.map((f) => ({ ...f, notification_id: n.id, at }))).execute();
    if (retry.length) {
      await scheduleBatch(ctx, tx, { notificationId: n.id, seqs: retry, attempt: batch.attempt + 1 }, { runAt: at + retryAfter, priority: job.priority });
    }
    await finishIfComplete(tx, n.id, at);
  });
}
