import type { Kysely } from 'kysely';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
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
  const knownNotifications = await existing(deps.db, 'notifications', appId, notificationIds);
  const knownSubscriptions = await existing(deps.db, 'subscriptions', appId, subscriptionIds);

  const rows = [];
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
  const res = await deps.db
    .insertInto('events')
    .values(rows)
    .onConflict((oc) => oc.columns(['app_id', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  const accepted = Number(res.numInsertedOrUpdatedRows ?? 0);
  return { accepted, duplicates: rows.length - accepted, ignored };
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

async function existing(db: Kysely<Database>, table: 'notifications' | 'subscriptions', appId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom(table).select('id').where('app_id', '=', appId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
