import type { Insertable, Kysely, Transaction } from 'kysely';
import { ApiError } from '../errors/api-error.ts';
import { addToRollups, appendActivity, type Activity } from '../store/activity-log.ts';
import type { ActivityType, Database, EventsTable } from '../store/schema.ts';
import { recordTouches, type Touch } from './conversions.ts';
import { isNotificationEvent, type EventType } from './event-types.ts';

/** One event as a browser reports it (POST /v1/apps/{appId}/events). */
export interface EventInput {
  type: EventType;
  /** Chosen by the browser; the same id again is the same event (a retried report). */
  id?: string;
  notificationId?: string;
  subscriptionId?: string;
  action?: string;
  /** RFC 3339; when it happened. */
  at?: string;
}

export interface RecordResult {
  /** Stored now. */
  accepted: number;
  /** Already stored by an earlier report. */
  duplicates: number;
  /** About a notification or subscription this app does not have (or no longer has). */
  ignored: number;
}

export interface RecordDeps {
  db: Kysely<Database>;
  now: () => number;
}

/**
 * Stores a browser's report. Shape errors refuse the whole report (`invalid_event`, with
 * the event's index): the SDK sends well-formed events, so such a report is a bug to see.
 * An event about a notification or subscription the app does not have is ignored and
 * counted, not refused: a browser cannot correct it (the subscription may have been pruned
 * meanwhile), and refusing would make it retry the report forever.
 *
 * Retries count once. A notification event is keyed by what it says (type, notification,
 * subscription, and for clicked the action: each button counts once); an opt-in event by
 * its `id` when it has one.
 */
export async function recordEvents(deps: RecordDeps, appId: string, events: EventInput[]): Promise<RecordResult> {
  events.forEach(checkShape);
  const now = deps.now();
  const notificationIds = unique(events.filter((e) => isNotificationEvent(e.type)).map((e) => e.notificationId!));
  const subscriptionIds = unique(events.filter((e) => isNotificationEvent(e.type)).map((e) => e.subscriptionId!));
  const knownNotifications = await notificationsOf(deps.db, appId, notificationIds);
  const knownSubscriptions = await subscriptionsOf(deps.db, appId, subscriptionIds);

  const rows: Insertable<EventsTable>[] = [];
  for (const e of events) {
    if (isNotificationEvent(e.type) && !(knownNotifications.has(e.notificationId!) && knownSubscriptions.has(e.subscriptionId!))) continue;
    // A device whose clock runs ahead must not put events in the future of the server's counts.
    const at = e.at === undefined ? now : Math.min(Date.parse(e.at), now);
    rows.push({
      app_id: appId,
      type: e.type,
      notification_id: e.notificationId ?? null,
      subscription_id: e.subscriptionId ?? null,
      action: e.action ?? null,
      dedupe_key: dedupeKey(e),
      at,
      received_at: now,
    });
  }
  const ignored = events.length - rows.length;
  if (rows.length === 0) return { accepted: 0, duplicates: 0, ignored };
  const accepted = await deps.db.transaction().execute(async (tx) => {
    const stored = await tx
      .insertInto('events')
      .values(rows)
      .onConflict((oc) => oc.columns(['app_id', 'dedupe_key']).doNothing())
      .returning(['type', 'notification_id', 'subscription_id', 'action', 'at'])
      .execute();
    // What the report adds to the analytics, with the events it stores (docs/analytics.md):
    // a display, click or dismissal is an activity; an opt-in step a rollup count.
    await logEngagement(tx, appId, stored, knownNotifications, knownSubscriptions);
    return stored.length;
  });
  return { accepted, duplicates: rows.length - accepted, ignored };
}

interface NotificationDims {
  campaignId: string | null;
  category: string | null;
}

interface SubscriptionDims {
  seq: number;
  channel: string;
  userId: string | null;
}

type StoredRow = { type: string; notification_id: string | null; subscription_id: string | null; action: string | null; at: number };

async function logEngagement(tx: Transaction<Database>, appId: string, stored: StoredRow[], notifications: Map<string, NotificationDims>, subscriptions: Map<string, SubscriptionDims>): Promise<void> {
  const engaged = stored.filter((r) => isNotificationEvent(r.type as EventType));
  await addToRollups(
    tx,
    stored.filter((r) => !isNotificationEvent(r.type as EventType)).map((r) => ({ appId, type: r.type, at: Number(r.at) })),
  );
  if (engaged.length === 0) return;
  // The recipient's variant is on its send record.
  const variants = new Map<string, string | null>();
  const records = await tx
    .selectFrom('send_records')
    .select(['notification_id', 'subscription_seq', 'variant'])
    .where('notification_id', 'in', unique(engaged.map((r) => r.notification_id!)))
    .where('subscription_seq', 'in', [...new Set(engaged.map((r) => subscriptions.get(r.subscription_id!)!.seq))])
    .where('reason', '=', 'sent')
    .execute();
  for (const r of records) variants.set(`${r.notification_id}:${r.subscription_seq}`, r.variant);
  const touches: Touch[] = [];
  const activities: Activity[] = engaged.map((r) => {
    const n = notifications.get(r.notification_id!)!;
    const s = subscriptions.get(r.subscription_id!)!;
    const variant = variants.get(`${r.notification_id}:${s.seq}`) ?? null;
    const at = Number(r.at);
    if (s.userId !== null && (r.type === 'displayed' || r.type === 'clicked')) {
      touches.push({ notificationId: r.notification_id!, userId: s.userId, kind: r.type, at, campaignId: n.campaignId, variant, category: n.category, channel: s.channel, subscriptionId: r.subscription_id! });
    }
    return { appId, type: r.type as ActivityType, at, notificationId: r.notification_id, campaignId: n.campaignId, variant, category: n.category, channel: s.channel, subscriptionId: r.subscription_id, userId: s.userId, action: r.action };
  });
  await appendActivity(tx, activities);
  await recordTouches(tx, appId, touches);
}

function checkShape(e: EventInput, index: number): void {
  const refuse = (detail: string) => {
    throw new ApiError('invalid_event', `events[${index}] (${e.type}): ${detail}`, { index });
  };
  if (isNotificationEvent(e.type)) {
    if (e.notificationId === undefined) refuse('notificationId is required');
    if (e.subscriptionId === undefined) refuse('subscriptionId is required (the subscription that displayed the notification)');
  } else if (e.notificationId !== undefined) {
    refuse('notificationId is only for displayed, clicked and dismissed');
  }
  if (e.action !== undefined && e.type !== 'clicked') refuse('action is only for clicked');
  if (e.at !== undefined && Number.isNaN(Date.parse(e.at))) refuse(`at "${e.at}" is not an RFC 3339 date-time`);
}

function dedupeKey(e: EventInput): string | null {
  if (isNotificationEvent(e.type)) {
    const base = `${e.type}:${e.notificationId}:${e.subscriptionId}`;
    return e.type === 'clicked' ? `${base}:${e.action ?? ''}` : base;
  }
  return e.id === undefined ? null : `id:${e.id}`;
}

async function notificationsOf(db: Kysely<Database>, appId: string, ids: string[]): Promise<Map<string, NotificationDims>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('notifications').select(['id', 'campaign_id', 'category']).where('app_id', '=', appId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { campaignId: r.campaign_id, category: r.category }]));
}

async function subscriptionsOf(db: Kysely<Database>, appId: string, ids: string[]): Promise<Map<string, SubscriptionDims>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('subscriptions').select(['id', 'seq', 'channel', 'user_id']).where('app_id', '=', appId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { seq: Number(r.seq), channel: r.channel, userId: r.user_id }]));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
