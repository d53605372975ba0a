import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import type { Database } from '../store/schema.ts';
import { prepared } from '../store/prepared.ts';
import type { Channel, OutgoingMessage, Recipient, Sender } from '../providers/channel.ts';
import { CHANNELS } from '../providers/registry.ts';
import { BatchProgress, lockBatch, progressTotals, recordedSeqs, writeProgress, type Settled } from './batch-progress.ts';
import type { Outcome } from '../providers/outcome.ts';
import type { MessageContent } from '../message/content.ts';
import { PRIORITY, type Job } from '../queue/queue.ts';
import { retryDelay } from '../queue/backoff.ts';
import { finishIfComplete, lockNotification } from './completion.ts';
import { scheduleBatch } from './batches.ts';
import type { DeliveryMetrics } from './metrics.ts';
import { samePersonaliser, type Personaliser } from './personaliser.ts';
import { planSends, type BatchRecipient } from './plan-sends.ts';
import { sendByChannel } from './send-by-channel.ts';
import { countsForCaps, insertSendRecords, type RecordDraft, type RecordTarget } from './send-records.ts';
import { addReasons } from './suppressed-reasons.ts';

/** s; how late a message with ttl 0 ("now or never") may still go out, for the queue's own delay. */
const ZERO_TTL_GRACE = 30;

export interface DeliverDeps {
  /** A sender per channel name. */
  senders: ReadonlyMap<string, Sender>;
  metrics?: DeliveryMetrics;
  /** Shapes each recipient's message (campaigns); by default everyone gets the notification's one message. */
  personaliser?: Personaliser;
  /** The channels' payload limits, by name; the registry's by default. */
  channels?: ReadonlyMap<string, Channel>;
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

const batchById = prepared((db, $: { batchId: number }) => db.selectFrom('delivery_batches').selectAll().where('id', '=', $.batchId));
const notificationById = prepared((db, $: { id: string }) => db.selectFrom('notifications').selectAll().where('id', '=', $.id));

/**
 * Sends one batch and records its outcomes. The batch row is the durable record, and its
 * progress rows say what it has sent so far: outcomes are committed in small groups while
 * it sends (src/delivery/batch-progress.ts), with the failures they show and the gone
 * subscriptions they prune. A batch re-run after a crash sends only the recipients not
 * recorded, so a restart repeats at most what was in flight and a few ms of answers (at
 * least once; receivers drop copies by `data.id` and `Topic`). The batch is marked done,
 * with counts summed from its progress, in the transaction that schedules the retries.
 *
 * Each recipient is sent the message the personaliser gives it (docs/delivery.md); one
 * over its channel's payload limit fails alone as `too_large`. Every outcome that ends a
 * recipient, and every skip, writes its send record with the outcomes it describes.
 */
export async function runDeliver(ctx: Context, deps: DeliverDeps, job: Job): Promise<void> {
  const { batchId } = job.data as { batchId: number };
  const db = ctx.store.db;
  const batch = await batchById.first(db, { batchId });
  if (!batch || batch.done) return;
  const n = await notificationById.first(db, { id: batch.notification_id });
  if (!n) throw new Error(`the notification ${batch.notification_id} of delivery batch ${batchId} is gone`);

  // The batch lists the recipients the fan-out counted as targeted, so a subscription that
  // joined the audience later (a tag changed in place) is neither sent to nor miscounted.
  // Those a run before a crash recorded are not sent again.
  const recorded = await recordedSeqs(db, batchId);
  const seqs = (JSON.parse(batch.seqs) as number[]).filter((s) => !recorded.has(s));
  const recipients: BatchRecipient[] = (
    await db
      .selectFrom('subscriptions')
      // Each subscription's user, by users_app_external: the personaliser and the send records need it.
      .leftJoin('users', (j) => j.onRef('users.app_id', '=', 'subscriptions.app_id').onRef('users.external_id', '=', 'subscriptions.user_id'))
      .select(['subscriptions.seq', 'subscriptions.id', 'subscriptions.channel', 'subscriptions.address', 'subscriptions.p256dh', 'subscriptions.auth', 'subscriptions.environment', 'subscriptions.app_topic', 'subscriptions.updated_at', 'users.seq as user_seq', 'users.external_id'])
      .where('subscriptions.app_id', '=', n.app_id)
      .where('subscriptions.seq', 'in', seqs.length ? seqs : [-1])
      .orderBy('subscriptions.seq')
      .execute()
  ).map(({ app_topic, user_seq, external_id, ...r }) => ({ ...r, appTopic: app_topic, seq: Number(r.seq), subscriptionId: r.id, userSeq: user_seq === null ? null : Number(user_seq), externalId: external_id }));
  // Subscriptions deleted since the fan-out cut this batch are accounted as failed, and recorded.
  const found = new Set(recipients.map((r) => r.seq));
  const gone: RecordDraft[] = seqs.filter((s) => !found.has(s)).map((s): RecordDraft => ({ userSeq: null, subscriptionSeq: s, reason: 'unsubscribed', detail: 'the subscription was deleted before the send', countsForCaps: false }));
  const unsubscribed = gone.length;
  let expired = 0;
  let skipped: RecordDraft[] = [];
  let omitted = 0;
  const ref = { id: batchId, notificationId: n.id, appId: n.app_id, category: n.category, sendStarted: ctx.now() };
  const progress = new BatchProgress(db, ref, ctx.now, ctx.logger);

  // RFC 8030 §5.2: the TTL runs from when the message was due; a retry carries what is
  // left of it, and a message whose TTL ran out (say, the server was down) is not sent.
  // A ttl of 0 means now or never: it gets a short grace for the queue, not hours.
  const elapsed = Math.max(0, Math.floor((ctx.now() - n.send_at) / 1000));
  const remainingTtl = n.ttl - elapsed;
  if (n.ttl === 0 ? batch.attempt > 1 || elapsed > ZERO_TTL_GRACE : remainingTtl <= 0) {
    expired = recipients.length;
    // Counted expired in the batch; recorded beside the skips, not moved to suppressed like them.
    gone.push(...recipients.map((r): RecordDraft => ({ userSeq: r.userSeq, subscriptionSeq: r.seq, reason: 'expired', detail: `the TTL of ${n.ttl} s had run out when the send was due`, countsForCaps: false })));
  } else if (recipients.length > 0) {
    const started = ctx.now();
    const content = JSON.parse(n.content) as MessageContent;
    const base: OutgoingMessage = {
      id: n.id,
      appId: n.app_id,
      content,
      ttl: Math.max(0, remainingTtl),
      urgency: n.urgency as OutgoingMessage['urgency'],
      topic: n.topic,
      // The urgent lane's own capacity in the senders (crypto threads, connections), for
      // jobs the queue ran as urgent: a top-priority alert, an urgent single send.
      ...(job.priority >= PRIORITY.urgent ? { lane: 'urgent' as const } : {}),
    };
    const personaliser = deps.personaliser ?? samePersonaliser;
    const answers = await personaliser.personalise({ id: n.id, appId: n.app_id, category: n.category, content, sendAt: n.send_at }, recipients, base);
    const plan = planSends(recipients, answers, deps.channels ?? CHANNELS);
    skipped = plan.skipped;
    omitted = plan.omitted;
    for (const refused of plan.refused) progress.add(refused);
    const settled = new Set<number>();
    const outcomes = await sendByChannel(ctx, deps, plan.sends, (k, o) => {
      // A sender may tell an outcome as it comes and return it again at the end.
      if (settled.has(k)) return;
      settled.add(k);
      const i = plan.owner[k]!;
      progress.add(withRecord(recordOf(recipients[i]!, o, batch.attempt, ctx), recipients[i]!, n.category, plan.tags[i]));
    });
    deps.metrics?.observeBatch((ctx.now() - started) / 1000);
    deps.metrics?.observeLatency((ctx.now() - n.send_at) / 1000, outcomes.filter((o) => o.kind === 'delivered').length);
  }
  const rest = await progress.settle();

  const at = ctx.now();
  await db.transaction().execute(async (tx) => {
    await lockNotification(tx, n.id);
    const done = await lockBatch(tx, batchId);
    if (done === undefined) throw new Error(`delivery batch ${batchId} is gone`);
    if (done) return;
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
    if (skipped.length) await recordSkips(tx, ref, skipped, at);
    if (gone.length) await insertSendRecords(tx, ref, gone, at);
    // Not this notification's recipients after all: out of its targeted count and of the
    // batch's size (what `sent` sums), as if the fan-out had not cut them.
    if (omitted) {
      await tx.updateTable('notifications').set((eb) => ({ targeted: eb('targeted', '-', omitted) })).where('id', '=', n.id).execute();
      await tx.updateTable('delivery_batches').set((eb) => ({ size: eb('size', '-', omitted) })).where('id', '=', batchId).execute();
    }
    if (totals.retrying.length) {
      await scheduleBatch(ctx, tx, { notificationId: n.id, seqs: totals.retrying, attempt: batch.attempt + 1 }, { runAt: at + totals.retryAfter, priority: job.priority });
    }
    await finishIfComplete(tx, n.id, at);
  });
}

/**
 * An outcome that ends the recipient carries its send record: `sent` for every send that
 * went to the push service and got its last answer (the counts say delivered or failed;
 * the detail says why it failed), counting against caps only when it was delivered.
 */
function withRecord(s: Settled, r: BatchRecipient, category: string | null, tags: RecordDraft['tags']): Settled {
  if (s.bucket === 'retrying') return s;
  const delivered = s.bucket === 'delivered';
  const detail = s.failure ? `${s.failure.outcome}${s.failure.status_code !== null ? ` ${s.failure.status_code}` : ''}: ${s.failure.reason}` : null;
  const outcome = { type: s.bucket, ...(s.failure ? { status: s.failure.status_code, reason: s.failure.reason } : {}) };
  const who = { subscriptionId: r.id, channel: r.channel, userId: r.externalId };
  return { ...s, record: { userSeq: r.userSeq, subscriptionSeq: r.seq, reason: 'sent', detail, countsForCaps: delivered && countsForCaps(category, tags), ...(tags ? { tags } : {}), who, outcome } };
}

/**
 * The recipients the personaliser left out, in the batch's final transaction (which runs
 * once: it marks the batch done): their send records, and the notification's counts, where
 * they move from targeted to suppressed by reason, as the fan-out's preference
 * suppression does. A run that crashed before it left them unrecorded; the next run asks
 * the personaliser again.
 */
async function recordSkips(tx: Transaction<Database>, ref: RecordTarget, skipped: RecordDraft[], at: number): Promise<void> {
  await insertSendRecords(tx, ref, skipped, at);
  const byReason: Record<string, number> = {};
  for (const s of skipped) byReason[s.reason] = (byReason[s.reason] ?? 0) + 1;
  const current = await tx.selectFrom('notifications').select('suppressed_reasons').where('id', '=', ref.notificationId).executeTakeFirstOrThrow();
  await tx
    .updateTable('notifications')
    .set((eb) => ({
      targeted: eb('targeted', '-', skipped.length),
      suppressed: eb('suppressed', '+', skipped.length),
      suppressed_reasons: addReasons(current.suppressed_reasons, byReason),
    }))
    .where('id', '=', ref.notificationId)
    .execute();
}
