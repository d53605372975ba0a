import type { Insertable, Kysely, Transaction } from 'kysely';
import { ApiError } from '../errors/api-error.ts';
import { addToRollups, appendActivity, type Activity } from '../store/activity-log.ts';
import type { ActivityType, Database, EventsTable } from '../store/schema.ts';
import { actionIdsOf } from './action-ids.ts';
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
 * its `id` when it has one. A recipient's click counts once in `clicked` whatever the
 * buttons (the later ones are logged as repeats), and once per button it chose.
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
  /** The action buttons it can show (./action-ids.ts). */
  actions: Set<string>;
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
  const repeated = await repeatedClicks(tx, engaged);
  const touches: Touch[] = [];
  const activities: Activity[] = engaged.map((r, i) => {
    const n = notifications.get(r.notification_id!)!;
    const s = subscriptions.get(r.subscription_id!)!;
    const variant = variants.get(`${r.notification_id}:${s.seq}`) ?? null;
    const at = Number(r.at);
    if (s.userId !== null && (r.type === 'displayed' || r.type === 'clicked')) {
      touches.push({ notificationId: r.notification_id!, userId: s.userId, kind: r.type, at, campaignId: n.campaignId, variant, category: n.category, channel: s.channel, subscriptionId: r.subscription_id! });
    }
    // Logged as reported; counted per button only for a button the notification has.
    const countedAction = r.action !== null && n.actions.has(r.action) ? r.action : null;
    return { appId, type: r.type as ActivityType, at, notificationId: r.notification_id, campaignId: n.campaignId, variant, category: n.category, channel: s.channel, subscriptionId: r.subscription_id, userId: s.userId, action: r.action, repeated: repeated.has(i), countedAction };
  });
  await appendActivity(tx, activities);
  await recordTouches(tx, appId, touches);
}

/**
 * Which of the stored clicks repeat a recipient's click (the indexes in `engaged`): a
 * recipient (notification and subscription) clicks once, on the first report that brings
 * a click; a second button is a repeat. The first report takes the recipient's row of
 * `recipient_clicks` (its primary key: a concurrent report for the same recipient waits for
 * this one's commit and finds the row taken), in key order so that two reports cannot
 * deadlock.
 */
async function repeatedClicks(tx: Transaction<Database>, engaged: StoredRow[]): Promise<Set<number>> {
  const firstOf = new Map<string, number>();
  const repeated = new Set<number>();
  engaged.forEach((r, i) => {
    if (r.type !== 'clicked') return;
    const key = JSON.stringify([r.notification_id, r.subscription_id]);
    if (firstOf.has(key)) repeated.add(i);
    else firstOf.set(key, i);
  });
  if (firstOf.size === 0) return repeated;
  const rows = [...firstOf.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => ({ notification_id: engaged[i]!.notification_id!, subscription_id: engaged[i]!.subscription_id!, at: Number(engaged[i]!.at) }));
  const taken = new Set<string>();
  for (let i = 0; i < rows.length; i += 500) {
    const got = await tx
      .insertInto('recipient_clicks')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['notification_id', 'subscription_id']).doNothing())
      .returning(['notification_id', 'subscription_id'])
      .execute();
    for (const g of got) taken.add(JSON.stringify([g.notification_id, g.subscription_id]));
  }
  for (const [key, i] of firstOf) if (!taken.has(key)) repeated.add(i);
  return repeated;
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
  const rows = await db
    .selectFrom('notifications')
    .leftJoin('campaigns', 'campaigns.id', 'notifications.campaign_id')
    .select(['notifications.id', 'notifications.campaign_id', 'notifications.category', 'notifications.content', 'campaigns.definition'])
    .where('notifications.app_id', '=', appId)
    .where('notifications.id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { campaignId: r.campaign_id, category: r.category, actions: actionIdsOf(r.content, r.definition) }]));
}

async function subscriptionsOf(db: Kysely<Database>, appId: string, ids: string[]): Promise<Map<string, SubscriptionDims>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('subscriptions').select(['id', 'seq', 'channel', 'user_id']).where('app_id', '=', appId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { seq: Number(r.seq), channel: r.channel, userId: r.user_id }]));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
