import type { Kysely, Transaction } from 'kysely';
import type { StoredEvent } from '../audience/events/track-events.ts';
import { appendActivity, type Activity } from '../store/activity-log.ts';
import type { Database } from '../store/schema.ts';
import type { Conversion } from './conversion-spec.ts';

const HOUR = 3_600_000;

/** A display or a click of a notification by a user, with the dimensions a conversion of it is counted under. */
export interface Touch {
  notificationId: string;
  userId: string;
  kind: 'displayed' | 'clicked';
  at: number;
  campaignId: string | null;
  variant: string | null;
  category: string | null;
  channel: string | null;
  subscriptionId: string;
}

/**
 * The conversion each notification counts: its own (`notifications.conversion`), or its
 * campaign's (the definition's `conversion`); absent for those that name none.
 */
export async function conversionsOf(db: Kysely<Database>, notificationIds: readonly string[]): Promise<Map<string, Conversion>> {
  const out = new Map<string, Conversion>();
  if (notificationIds.length === 0) return out;
  const rows = await db
    .selectFrom('notifications')
    .leftJoin('campaigns', 'campaigns.id', 'notifications.campaign_id')
    .select(['notifications.id', 'notifications.conversion', 'campaigns.definition'])
    .where('notifications.id', 'in', [...new Set(notificationIds)])
    .execute();
  for (const r of rows) {
    const own = r.conversion === null ? undefined : (JSON.parse(r.conversion) as Conversion);
    const fromCampaign = r.definition === null ? undefined : (JSON.parse(r.definition) as { conversion?: { events: string[]; windowHours?: number } }).conversion;
    const c = own ?? (fromCampaign ? { events: fromCampaign.events, windowHours: fromCampaign.windowHours ?? 72 } : undefined);
    if (c) out.set(r.id, c);
  }
  return out;
}

/**
 * Remembers the first display and the first click of each (notification, user) whose
 * notification names conversion events, in the event report's transaction. The earliest
 * is kept: a conversion window runs from the first time the user saw or clicked it.
 */
export async function recordTouches(tx: Transaction<Database>, appId: string, touches: readonly Touch[]): Promise<void> {
  if (touches.length === 0) return;
  const conversions = await conversionsOf(tx, touches.map((t) => t.notificationId));
  for (const t of touches) {
    if (!conversions.has(t.notificationId)) continue;
    const existing = await tx.selectFrom('conversion_touches').selectAll().where('notification_id', '=', t.notificationId).where('user_id', '=', t.userId).executeTakeFirst();
    const column = t.kind === 'displayed' ? 'displayed_at' : 'clicked_at';
    if (!existing) {
      await tx
        .insertInto('conversion_touches')
        .values({ notification_id: t.notificationId, user_id: t.userId, app_id: appId, campaign_id: t.campaignId, variant: t.variant, category: t.category, channel: t.channel, subscription_id: t.subscriptionId, displayed_at: null, clicked_at: null, converted_at: null, [column]: t.at })
        .execute();
    } else if (existing[column] === null || Number(existing[column]) > t.at) {
      await tx.updateTable('conversion_touches').set({ [column]: t.at }).where('notification_id', '=', t.notificationId).where('user_id', '=', t.userId).execute();
    }
  }
}

/**
 * Counts the conversions the stored custom events make, in the transaction that stores
 * them (called by `/track`). An event named by a notification's conversion is a `direct`
 * conversion when the user clicked the notification at most `windowHours` before it, an
 * `influenced` one when the user only displayed it in that window (a click after the
 * event does not make it direct). Each recipient converts once per notification: the
 * first such event counts, with its `value` property as revenue.
 */
export async function recordConversions(tx: Transaction<Database>, appId: string, stored: readonly StoredEvent[]): Promise<void> {
  if (stored.length === 0) return;
  const users = [...new Set(stored.map((e) => e.userId))];
  const touches = await tx.selectFrom('conversion_touches').selectAll().where('app_id', '=', appId).where('user_id', 'in', users).where('converted_at', 'is', null).execute();
  if (touches.length === 0) return;
  const conversions = await conversionsOf(tx, touches.map((t) => t.notification_id));
  const open = new Map<string, typeof touches>();
  for (const t of touches) open.set(t.user_id, [...(open.get(t.user_id) ?? []), t]);
  const activities: Activity[] = [];
  for (const e of [...stored].sort((a, b) => a.at - b.at)) {
    for (const t of open.get(e.userId) ?? []) {
      const c = conversions.get(t.notification_id);
      if (!c || !c.events.includes(e.name) || t.converted_at !== null) continue;
      const window = c.windowHours * HOUR;
      const within = (at: number | null) => at !== null && Number(at) <= e.at && e.at - Number(at) <= window;
      const kind = within(t.clicked_at) ? 'direct' : within(t.displayed_at) ? 'influenced' : null;
      if (kind === null) continue;
      t.converted_at = e.at;
      const value = revenueOf(e.properties);
      activities.push({
        appId,
        type: 'converted',
        at: e.at,
        notificationId: t.notification_id,
        campaignId: t.campaign_id,
        variant: t.variant,
        category: t.category,
        channel: t.channel,
        subscriptionId: t.subscription_id,
        userId: t.user_id,
        value,
        data: { kind, event: e.name, windowHours: c.windowHours },
      });
      await tx.updateTable('conversion_touches').set({ converted_at: e.at }).where('notification_id', '=', t.notification_id).where('user_id', '=', t.user_id).execute();
    }
  }
  await appendActivity(tx, activities);
}

/** The event's `value` property when it is a finite number; null otherwise (a conversion without revenue). */
function revenueOf(properties: string): number | null {
  const value = (JSON.parse(properties) as Record<string, unknown>).value;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
