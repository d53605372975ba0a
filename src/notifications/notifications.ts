import { checkConversion } from '../analytics/conversion-spec.ts';
import { sql, type Kysely, type Transaction } from 'kysely';
import { validateTopic } from '../protocol/webpush/headers.ts';
import { CHANNELS } from '../providers/registry.ts';
import { ApiError } from '../errors/api-error.ts';
import { fromProtocolError } from '../errors/protocol-errors.ts';
import { newId } from '../crypto/tokens.ts';
import { PRIORITY } from '../queue/queue.ts';
import { engagementCounts } from '../analytics/engagement-counts.ts';
import { cutAtOnce, cutsAtOnce, fanoutJobSpec } from '../delivery/fanout.ts';
import { UNSHOWN_OUTCOME_NAMES } from '../delivery/unshown.ts';
import type { Context } from '../context.ts';
import type { Database } from '../store/schema.ts';
import type { NotificationInput } from './notification-input.ts';
import { requestHash } from './request-hash.ts';
import { audienceOf } from './audience-target.ts';
import { appCategories, checkCategory } from '../apps/categories.ts';
import { largestReplyThread, replyConflict } from '../message/content.ts';

export type { NotificationInput };

/**
 * Accepts a notification: checks everything that can be checked before anything is
 * queued (the payload must fit one push message), then stores it and its fan-out job in
 * one transaction, so a 202 means it will be delivered or accounted for, even after a crash.
 */
export async function createNotification(
  ctx: Context,
  appId: string,
  input: NotificationInput,
  idempotencyKey?: string,
  opts: { civicAlert?: boolean } = {},
): Promise<{ id: string; replayed: boolean }> {
  const hash = requestHash(input);
  if (idempotencyKey !== undefined) {
    const previous = await findByIdempotencyKey(ctx, appId, idempotencyKey, hash);
    if (previous) return { id: previous, replayed: true };
  }
  const accepted = await checkNotification(ctx, ctx.store.db, appId, input, opts);
  try {
    await ctx.store.db.transaction().execute((tx) => storeNotification(ctx, tx, accepted, idempotencyKey !== undefined ? { key: idempotencyKey, hash } : null));
  } catch (err) {
    // Two requests with one Idempotency-Key raced: the unique index let one in.
    if (idempotencyKey !== undefined) {
      const previous = await findByIdempotencyKey(ctx, appId, idempotencyKey, hash);
      if (previous) return { id: previous, replayed: true };
    }
    throw err;
  }
  return { id: accepted.id, replayed: false };
}

/** A notification checked and ready to store: its id, and the write of its row and fan-out into the caller's transaction. */
export interface PreparedNotification {
  id: string;
  write(tx: Transaction<Database>): Promise<void>;
}

/**
 * What createNotification checks and reads before it writes, without writing (its reads
 * outside any transaction): a notification already stored under the same Idempotency-Key
 * (`replayed`, its id), or the write to commit with whatever else the caller commits. A
 * journey's send step commits it with the run's move, so the send and the advance are one.
 */
export async function prepareNotification(ctx: Context, appId: string, input: NotificationInput, idempotencyKey: string): Promise<PreparedNotification | { replayed: string }> {
  const hash = requestHash(input);
  const previous = await findByIdempotencyKey(ctx, appId, idempotencyKey, hash);
  if (previous) return { replayed: previous };
  const accepted = await checkNotification(ctx, ctx.store.db, appId, input, {});
  return { id: accepted.id, write: (tx) => storeNotification(ctx, tx, accepted, { key: idempotencyKey, hash }) };
}

/**
 * The same, inside the caller's transaction (its reads too): the notification and its
 * fan-out job are committed with what the caller writes, or not at all. A sign-in
 * challenge stores its push this way, in the one commit that stores the challenge.
 */
export async function createNotificationIn(ctx: Context, tx: Transaction<Database>, appId: string, input: NotificationInput): Promise<string> {
  const accepted = await checkNotification(ctx, tx, appId, input, {});
  await storeNotification(ctx, tx, accepted, null);
  return accepted.id;
}

interface CheckedNotification {
  id: string;
  appId: string;
  input: NotificationInput;
  audience: Awaited<ReturnType<typeof audienceOf>>;
  sendAt: number;
  now: number;
  conversion: ReturnType<typeof checkConversion> | null;
}

async function checkNotification(ctx: Context, db: Kysely<Database>, appId: string, input: NotificationInput, opts: { civicAlert?: boolean }): Promise<CheckedNotification> {
  // A critical alert sounds through silent mode and Focus (Apple's critical-alerts
  // entitlement exists for public safety): only civic alerts may ask for it.
  if (input.interruptionLevel === 'critical' && !opts.civicAlert) {
    throw new ApiError('critical_alert_not_allowed', 'interruptionLevel "critical" is reserved for civic alerts; use "time-sensitive"');
  }
  if (input.topic !== undefined) {
    try {
      validateTopic(input.topic);
    } catch (err) {
      throw fromProtocolError(err);
    }
  }
  const now = ctx.now();
  let sendAt = now;
  if (input.sendAt !== undefined) {
    sendAt = Date.parse(input.sendAt);
    if (Number.isNaN(sendAt)) throw new ApiError('invalid_send_at', `sendAt "${input.sendAt}" is not an RFC 3339 date-time`);
    if (sendAt > now + 366 * 86_400_000) throw new ApiError('invalid_send_at', 'sendAt may be at most a year ahead');
    sendAt = Math.max(sendAt, now);
  }

  if (input.preferenceCategory !== undefined) checkCategory(await appCategories(db, appId), input.preferenceCategory, ['preferenceCategory']);

  const id = newId('ntf');
  const conversion = input.conversion === undefined ? null : checkConversion(input.conversion);
  const { to, ttl: _ttl, urgency: _urgency, topic: _topic, sendAt: _sendAt, preferenceCategory: _category, conversion: _conversion, ...content } = input;
  const conflict = replyConflict(content);
  if (conflict) throw new ApiError('invalid_request', conflict.detail, { errors: [{ pointer: conflict.pointer, field: `body${conflict.pointer.slice(1).replaceAll('/', '.')}`, detail: conflict.detail, message: conflict.detail }] });
  // Sized with the longest reply thread it may carry, whose token each recipient gets at send time.
  const sized = content.reply ? { ...content, replyThread: largestReplyThread(content.reply, ctx.config.publicUrl.length || 64) } : content;
  // Every channel must be able to carry it: refuse now what would fail for each recipient.
  for (const channel of CHANNELS.values()) {
    channel.checkContent?.(content);
    const bytes = channel.payloadBytes(id, sized);
    const max = channel.capabilities.maxPayloadBytes;
    if (bytes > max) {
      throw new ApiError(
        'payload_too_large',
        `On ${channel.name} the message would be ${bytes} bytes; the push service accepts at most ${max}. Shorten the text or data, or link to the rest with url.`,
        { channel: channel.name, maxBytes: max, bytes },
      );
    }
  }

  const audience = await audienceOf(ctx, appId, to, db);
  return { id, appId, input, audience, sendAt, now, conversion };
}

async function storeNotification(ctx: Context, tx: Transaction<Database>, n: CheckedNotification, idempotency: { key: string; hash: string } | null): Promise<void> {
  const { id, appId, input, audience, sendAt, now, conversion } = n;
  const { to, ttl, urgency, topic, sendAt: _sendAt, preferenceCategory, conversion: _conversion, ...content } = input;
  // An urgent message to a few devices (a sign-in approval, a one-time code) takes the
  // priority lane and does not wait behind a broadcast; due now, it is cut here, with no
  // fan-out job (src/delivery/fanout.ts, cutAtOnce).
  const urgent = urgency === 'high' && 'subscriptionIds' in to && to.subscriptionIds.length <= 10;
  await tx
    .insertInto('notifications')
    .values({
      id,
      app_id: appId,
      status: sendAt > now ? 'scheduled' : 'queued',
      target: JSON.stringify(to),
      audience: audience === null ? null : JSON.stringify(audience),
      content: JSON.stringify(content),
      ttl: ttl ?? ctx.config.defaultTtl,
      urgency: urgency ?? 'normal',
      topic: topic ?? null,
      category: preferenceCategory ?? null,
      send_at: sendAt,
      idempotency_key: idempotency?.key ?? null,
      request_hash: idempotency?.hash ?? null,
      fanout_cursor: 0,
      fanout_done: 0,
      targeted: 0,
      created_at: now,
      completed_at: null,
      conversion: conversion === null ? null : JSON.stringify(conversion),
      priority: urgent ? PRIORITY.urgent : PRIORITY.normal,
    })
    .execute();
  const priority = urgent ? PRIORITY.urgent : PRIORITY.normal;
  if (cutsAtOnce(ctx, { target: to, urgent, due: sendAt <= now, category: preferenceCategory ?? null }) && 'subscriptionIds' in to) await cutAtOnce(ctx, tx, { notificationId: id, appId, target: to, priority });
  else await ctx.queue.add([fanoutJobSpec(id, 0, { runAt: sendAt, priority })], tx);
}

async function findByIdempotencyKey(ctx: Context, appId: string, key: string, requestHash: string): Promise<string | undefined> {
  const row = await ctx.store.db
    .selectFrom('notifications')
    .select(['id', 'request_hash'])
    .where('app_id', '=', appId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.request_hash !== requestHash) {
    throw new ApiError('idempotency_key_reused', `Idempotency-Key "${key}" was used for a different notification (${row.id})`);
  }
  return row.id;
}

export interface NotificationCounts {
  targeted: number;
  sent: number;
  delivered: number;
  failed: number;
  expired: number;
  pruned: number;
  /** Matched by the audience but not targeted: their user turned the notification's category off. */
  suppressed: number;
  /** Targeted but not yet delivered or accounted for. */
  pending: number;
  /** Reported by browsers (src/analytics/): recipients who saw, clicked, dismissed it. */
  displayed: number;
  clicked: number;
  dismissed: number;
}

export interface NotificationView {
  id: string;
  status: string;
  createdAt: string;
  sendAt: string;
  completedAt: string | null;
  ttl: number;
  urgency: string;
  topic: string | null;
  preferenceCategory: string | null;
  to: unknown;
  content: unknown;
  counts: NotificationCounts;
  /** `counts.suppressed` by reason (`preference_off`). */
  suppressed: Record<string, number>;
}

export async function getNotification(ctx: Context, appId: string, id: string): Promise<NotificationView> {
  const row = await ctx.store.db.selectFrom('notifications').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('notification_not_found', `No notification ${id} in this app`);
  const sums = await ctx.store.db
    .selectFrom('delivery_batches')
    .select([
      sql<number>`coalesce(sum(case when attempt = 1 and done = 1 then size else 0 end), 0)`.as('sent'),
      sql<number>`coalesce(sum(delivered), 0)`.as('delivered'),
      sql<number>`coalesce(sum(failed), 0)`.as('failed'),
      sql<number>`coalesce(sum(expired), 0)`.as('expired'),
      sql<number>`coalesce(sum(pruned), 0)`.as('pruned'),
    ])
    .where('notification_id', '=', id)
    .where('done', '=', 1)
    .executeTakeFirstOrThrow();
  // Accepted by Carillon's own push service, then refused by the browser (ack 101 or 102).
  const unshown = await ctx.store.db
    .selectFrom('delivery_failures')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('notification_id', '=', id)
    .where('outcome', 'in', UNSHOWN_OUTCOME_NAMES)
    .executeTakeFirstOrThrow();
  const moved = Math.min(Number(unshown.n), Number(sums.delivered));
  // A batch's size counts everyone it held; those its personaliser left out (moved to
  // suppressed, by reason: all but the fan-out's preference_off) and those too large to
  // send were never sent.
  const reasons = row.suppressed_reasons ? (JSON.parse(row.suppressed_reasons) as Record<string, number>) : {};
  const skipped = Object.entries(reasons).reduce((sum, [reason, n]) => (reason === 'preference_off' ? sum : sum + n), 0);
  // From the send records, which an erasure unlinks but keeps (its delivery failures go).
  const tooLarge = await ctx.store.db
    .selectFrom('send_records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('notification_id', '=', id)
    .where('reason', '=', 'too_large')
    .executeTakeFirstOrThrow();
  const counts = {
    targeted: row.targeted,
    sent: Math.max(0, Number(sums.sent) - skipped - Number(tooLarge.n)),
    delivered: Number(sums.delivered) - moved,
    failed: Number(sums.failed) + moved,
    expired: Number(sums.expired),
    pruned: Number(sums.pruned),
    suppressed: Number(row.suppressed),
    pending: 0,
    ...(await engagementCounts(ctx.store.db, id)),
  };
  counts.pending = Math.max(0, counts.targeted - counts.delivered - counts.failed - counts.expired - counts.pruned);
  return {
    id: row.id,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    sendAt: new Date(row.send_at).toISOString(),
    completedAt: row.completed_at ? new Date(row.completed_at).toISOString() : null,
    ttl: row.ttl,
    urgency: row.urgency,
    topic: row.topic,
    preferenceCategory: row.category,
    to: JSON.parse(row.target),
    content: shownContent(JSON.parse(row.content)),
    counts,
    suppressed: row.suppressed_reasons ? (JSON.parse(row.suppressed_reasons) as Record<string, number>) : {},
  };
}

/**
 * What the API shows of a notification's content. A one-time code by push (src/mfa/otp-push.ts)
 * carries its code in the stored content for delivery and its retries; no reader of the API
 * sees it, whatever their role: an app's viewer must not read a user's second factor.
 */
function shownContent(content: Record<string, unknown>): Record<string, unknown> {
  const data = content.data as Record<string, unknown> | undefined;
  if (data?.mfa !== 'otp' || typeof data.code !== 'string') return content;
  const { code, ...rest } = data;
  return { ...content, body: typeof content.body === 'string' ? content.body.replaceAll(code, '(hidden)') : content.body, data: rest };
}

/** The recipients that were pruned or failed, with the push service's answer (first 1000). */
export async function listFailures(ctx: Context, appId: string, id: string) {
  const exists = await ctx.store.db.selectFrom('notifications').select('id').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!exists) throw new ApiError('notification_not_found', `No notification ${id} in this app`);
  const rows = await ctx.store.db.selectFrom('delivery_failures').selectAll().where('notification_id', '=', id).limit(1000).execute();
  return rows.map((r) => ({ subscriptionId: r.subscription_id, outcome: r.outcome, statusCode: r.status_code, reason: r.reason, at: new Date(r.at).toISOString() }));
}
