import type { Context } from '../context.ts';
import type { OutgoingMessage, Recipient, Sender } from '../providers/channel.ts';
import { BatchProgress, progressTotals, recordedSeqs, writeProgress, type Settled } from './batch-progress.ts';
import { CredentialsUnusableError, credentialsFailure, type Outcome } from '../providers/outcome.ts';
import type { MessageContent } from '../message/content.ts';
import type { Job } from '../queue/queue.ts';
import { retryDelay } from '../queue/backoff.ts';
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

/** Sends to each channel's recipients through its sender; outcomes come back in recipient order, and each to `settled` as it is known. */
async function sendByChannel(
  deps: DeliverDeps,
  recipients: (Recipient & { channel: string })[],
  message: OutgoingMessage,
  ctx: Context,
  settled: (recipientIndex: number, outcome: Outcome) => void,
): Promise<Outcome[]> {
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
          results = await sender.send(
            indexes.map((i) => recipients[i]!),
            message,
            (k, o) => settled(indexes[k]!, o),
          );
        } catch (err) {
          if (err instanceof CredentialsUnusableError) {
            results = indexes.map(() => credentialsFailure(err));
          } else {
            // Any other failure of the sender itself (a crypto thread died) is retried per
            // recipient like any transient failure, so the batch still ends, counted, when
            // the attempts run out: it is never left open.
            ctx.logger.error({ err, channel, notification: message.id }, 'sender failed; the batch will be retried');
            results = indexes.map(() => ({ kind: 'retry', reason: `sender error: ${(err as Error)?.message ?? err}` }));
          }
        }
      }
      indexes.forEach((recipientIndex, k) => {
        outcomes[recipientIndex] = results[k]!;
        settled(recipientIndex, results[k]!);
      });
      logCredentialFaults(ctx, channel, message, results);
      deps.metrics?.observeOutcomes(channel, results);
    }),
  );
  return outcomes;
}

/**
 * Credentials that cannot be used fail every recipient of the app on the channel at once:
 * said at error once per batch and channel (the reason names the key, never holds it), so
 * an operator sees it before a user reports it.
 */
function logCredentialFaults(ctx: Context, channel: string, message: OutgoingMessage, results: Outcome[]): void {
  const faulted = results.filter((o): o is Extract<Outcome, { kind: 'rejected' }> => o.kind === 'rejected' && o.fault !== undefined);
  if (faulted.length === 0) return;
  const first = faulted[0]!;
  ctx.logger.error(
    { module: 'delivery', channel, app: message.appId, notification: message.id, fault: first.fault, recipients: faulted.length, status: first.status, reason: first.reason },
    `${channel} credentials of the app cannot be used: ${faulted.length} recipients failed without retry`,
  );
}

/** How the batch records a recipient's outcome on its attempt. */
function recordOf(r: Recipient, o: Outcome, attempt: number, ctx: Context): Settled {
  switch (o.kind) {
    case 'delivered':
      return { seq: r.seq, bucket: 'delivered' };
    case 'gone':
      return { seq: r.seq, bucket: 'pruned', failure: { subscription_id: r.id, outcome: o.kind, status_code: o.status, reason: o.reason } };
    case 'rejected':
      return { seq: r.seq, bucket: 'failed', failure: { subscription_id: r.id, outcome: o.kind, status_code: o.status ?? null, reason: o.reason } };
    case 'retry':
    case 'throttled':
      if (attempt >= ctx.config.maxAttempts && !(o.kind === 'retry' && o.deferred)) {
        return { seq: r.seq, bucket: 'failed', failure: { subscription_id: r.id, outcome: o.kind, status_code: o.status ?? null, reason: `gave up after ${attempt} attempts: ${o.reason}` } };
      }
      return { seq: r.seq, bucket: 'retrying', retryAfter: o.afterMs ?? retryDelay(attempt, ctx.config.retryBase, ctx.config.retryMax) };
  }
}

/**
 * Sends one batch and records its outcomes. The batch row is the durable record, and its
 * progress rows say what it has sent so far: outcomes are committed in small groups while
 * it sends (src/delivery/batch-progress.ts), with the failures they show and the gone
 * subscriptions they prune. A batch re-run after a crash sends only the recipients not
 * recorded, so a restart repeats at most what was in flight and a few ms of answers (at
 * least once; receivers drop copies by `data.id` and `Topic`). The batch is marked done,
 * with counts summed from its progress, in the transaction that schedules the retries.
 */
export async function runDeliver(ctx: Context, deps: DeliverDeps, job: Job): Promise<void> {
  const { batchId } = job.data as { batchId: number };
  const db = ctx.store.db;
  const batch = await db.selectFrom('delivery_batches').selectAll().where('id', '=', batchId).executeTakeFirst();
  if (!batch || batch.done) return;
  const n = await db.selectFrom('notifications').selectAll().where('id', '=', batch.notification_id).executeTakeFirstOrThrow();

  // The batch lists the recipients the fan-out counted as targeted, so a subscription that
  // joined the audience later (a tag changed in place) is neither sent to nor miscounted.
  // Those a run before a crash recorded are not sent again.
  const recorded = await recordedSeqs(db, batchId);
  const seqs = (JSON.parse(batch.seqs) as number[]).filter((s) => !recorded.has(s));
  const recipients = (
    await db
      .selectFrom('subscriptions')
      .select(['seq', 'id', 'channel', 'address', 'p256dh', 'auth', 'environment', 'app_topic', 'updated_at'])
      .where('app_id', '=', n.app_id)
      .where('seq', 'in', seqs.length ? seqs : [-1])
      .execute()
  ).map(({ app_topic, ...r }) => ({ ...r, appTopic: app_topic, seq: Number(r.seq) }));
  // Subscriptions deleted since the fan-out cut this batch are accounted as failed.
  const unsubscribed = seqs.length - recipients.length;
  let expired = 0;
  const ref = { id: batchId, notificationId: n.id, appId: n.app_id, sendStarted: ctx.now() };
  const progress = new BatchProgress(db, ref, ctx.now, ctx.logger);

  // RFC 8030 §5.2: the TTL runs from when the message was due; a retry carries what is
  // left of it, and a message whose TTL ran out (say, the server was down) is not sent.
  // A ttl of 0 means now or never: it gets a short grace for the queue, not hours.
  const elapsed = Math.max(0, Math.floor((ctx.now() - n.send_at) / 1000));
  const remainingTtl = n.ttl - elapsed;
  if (n.ttl === 0 ? batch.attempt > 1 || elapsed > ZERO_TTL_GRACE : remainingTtl <= 0) {
    expired = recipients.length;
  } else if (recipients.length > 0) {
    const started = ctx.now();
    const message: OutgoingMessage = {
      id: n.id,
      appId: n.app_id,
      content: JSON.parse(n.content) as MessageContent,
      ttl: Math.max(0, remainingTtl),
      urgency: n.urgency as OutgoingMessage['urgency'],
      topic: n.topic,
    };
    const settled = new Set<number>();
    const outcomes = await sendByChannel(deps, recipients, message, ctx, (i, o) => {
      // A sender may tell an outcome as it comes and return it again at the end.
      if (settled.has(i)) return;
      settled.add(i);
      progress.add(recordOf(recipients[i]!, o, batch.attempt, ctx));
    });
    deps.metrics?.observeBatch((ctx.now() - started) / 1000);
    deps.metrics?.observeLatency((ctx.now() - n.send_at) / 1000, outcomes.filter((o) => o.kind === 'delivered').length);
  }
  const rest = await progress.settle();

  const at = ctx.now();
  await db.transaction().execute(async (tx) => {
    await lockNotification(tx, n.id);
    await tx.updateTable('delivery_batches').set((eb) => ({ done: eb.ref('done') })).where('id', '=', batchId).execute();
    const still = await tx.selectFrom('delivery_batches').select('done').where('id', '=', batchId).executeTakeFirstOrThrow();
    if (still.done) return;
    await writeProgress(tx, ref, rest, at);
    const totals = await progressTotals(tx, batchId);
    await tx
      .updateTable('delivery_batches')
      .set({
        done: 1,
        finished_at: at,
        delivered: totals.delivered,
        failed: totals.failed + unsubscribed,
        expired,
        pruned: totals.pruned,
        retrying: totals.retrying.length,
      })
      .where('id', '=', batchId)
      .execute();
    // Done batches are never read again: their progress has served.
    await tx.deleteFrom('delivery_progress').where('batch_id', '=', batchId).execute();
    if (totals.retrying.length) {
      await scheduleBatch(ctx, tx, { notificationId: n.id, seqs: totals.retrying, attempt: batch.attempt + 1 }, { runAt: at + totals.retryAfter, priority: job.priority });
    }
    await finishIfComplete(tx, n.id, at);
  });
}
