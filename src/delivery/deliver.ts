import type { Context } from '../context.ts';
import type { OutgoingMessage, Recipient, Sender } from '../providers/channel.ts';
import type { Outcome } from '../providers/outcome.ts';
import type { MessageContent } from '../notifications/content.ts';
import { whereTarget, type Target } from '../notifications/target.ts';
import type { Job } from '../queue/queue.ts';
import { retryDelay } from './backoff.ts';
import { finishIfComplete, lockNotification } from './completion.ts';
import { scheduleBatch } from './batches.ts';
import type { DeliveryMetrics } from './metrics.ts';

export interface DeliverDeps {
  /** A sender per channel name. */
  senders: ReadonlyMap<string, Sender>;
  metrics?: DeliveryMetrics;
}

/** Sends to each channel's recipients through its sender; outcomes come back in recipient order. */
async function sendByChannel(deps: DeliverDeps, recipients: (Recipient & { channel: string })[], message: OutgoingMessage): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(recipients.length);
  const groups = new Map<string, number[]>();
  recipients.forEach((r, i) => groups.set(r.channel, [...(groups.get(r.channel) ?? []), i]));
  await Promise.all(
    [...groups].map(async ([channel, indexes]) => {
      const sender = deps.senders.get(channel);
      const results: Outcome[] = sender
        ? await sender.send(indexes.map((i) => recipients[i]!), message)
        : indexes.map(() => ({ kind: 'rejected', reason: `no sender for channel ${channel} in this process` }));
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

  const seqs: number[] | null = batch.retry_seqs ? JSON.parse(batch.retry_seqs) : null;
  let q = db
    .selectFrom('subscriptions')
    .select(['subscriptions.seq', 'subscriptions.id', 'subscriptions.channel', 'subscriptions.address', 'subscriptions.p256dh', 'subscriptions.auth', 'subscriptions.environment', 'subscriptions.app_topic'])
    .where('subscriptions.app_id', '=', n.app_id);
  q = seqs ? q.where('subscriptions.seq', 'in', seqs) : whereTarget(q.where('subscriptions.seq', '>=', batch.from_seq).where('subscriptions.seq', '<=', batch.to_seq), n.app_id, JSON.parse(n.target) as Target);
  const recipients = (await q.execute()).map(({ app_topic, ...r }) => ({ ...r, appTopic: app_topic, seq: Number(r.seq) }));
  // Subscriptions deleted since the fan-out cut this batch are accounted as failed.
  const unsubscribed = batch.size - recipients.length;

  const counts = { delivered: 0, failed: unsubscribed, expired: 0, pruned: 0, retrying: 0 };
  const pruned: number[] = [];
  const failures: { subscription_id: string; outcome: string; status_code: number | null; reason: string }[] = [];
  const retry: number[] = [];
  let retryAfter = 0;

  // RFC 8030 §5.2: the TTL runs from when the message was due; a retry carries what is
  // left of it, and a message whose TTL ran out (say, the server was down) is not sent.
  const remainingTtl = n.ttl - Math.floor((ctx.now() - n.send_at) / 1000);
  if (remainingTtl <= 0 && (batch.attempt > 1 || n.ttl > 0)) {
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
    const outcomes = await sendByChannel(deps, recipients, message);
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
          if (batch.attempt >= ctx.config.maxAttempts) {
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
    if (pruned.length) await tx.deleteFrom('subscriptions').where('app_id', '=', n.app_id).where('seq', 'in', pruned).execute();
    if (failures.length) await tx.insertInto('delivery_failures').values(failures.map((f) => ({ ...f, notification_id: n.id, at }))).execute();
    if (retry.length) {
      await scheduleBatch(ctx, tx, { notificationId: n.id, seqs: retry, attempt: batch.attempt + 1, listed: true }, { runAt: at + retryAfter, priority: job.priority });
    }
    await finishIfComplete(tx, n.id, at);
  });
}
