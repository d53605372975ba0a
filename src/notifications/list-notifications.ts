import { sql } from 'kysely';
import { NOTIFICATION_EVENTS } from '../analytics/event-types.ts';
import type { Context } from '../context.ts';
import { UNSHOWN_OUTCOME_NAMES } from '../delivery/unshown.ts';
import { ApiError } from '../errors/api-error.ts';
import type { NotificationStatus } from '../store/schema.ts';

/** A notification as a list shows it: what it is, where it stands and its key figures. */
export interface NotificationSummary {
  id: string;
  status: NotificationStatus;
  /** The content's title as accepted (a campaign wave's, rendered per user, is its template). */
  title: string | null;
  createdAt: string;
  sendAt: string;
  completedAt: string | null;
  campaignId: string | null;
  campaignRun: number | null;
  /** As GET .../notifications/{id} counts them (src/notifications/notifications.ts). */
  counts: { targeted: number; delivered: number; failed: number; displayed: number; clicked: number };
}

export interface NotificationListOptions {
  limit: number;
  cursor?: string;
  status?: NotificationStatus;
  campaignId?: string;
}

interface Position {
  createdAt: number;
  id: string;
}

/** Opaque to clients, versioned, base64url: where a page ends, listed newest first by (created_at, id). */
export function encodeNotificationCursor(p: Position): string {
  return Buffer.from(`n1:${p.createdAt}:${p.id}`).toString('base64url');
}

export function decodeNotificationCursor(cursor: string): Position {
  const m = /^n1:(\d{1,15}):(ntf_[A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { createdAt: Number(m[1]), id: m[2]! };
}

/**
 * A page of the app's notifications, newest first (the `(app_id, created_at)` index), with
 * each one's key figures from the counts the store keeps: three grouped queries for the
 * page, not a round of queries per notification.
 */
export async function listNotifications(ctx: Context, appId: string, opts: NotificationListOptions): Promise<{ data: NotificationSummary[]; next: string | null }> {
  const db = ctx.store.db;
  let q = db.selectFrom('notifications').select(['id', 'status', 'content', 'created_at', 'send_at', 'completed_at', 'campaign_id', 'campaign_run', 'targeted']).where('app_id', '=', appId);
  if (opts.status !== undefined) q = q.where('status', '=', opts.status);
  if (opts.campaignId !== undefined) q = q.where('campaign_id', '=', opts.campaignId);
  if (opts.cursor !== undefined) {
    const before = decodeNotificationCursor(opts.cursor);
    q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  const next = rows.length > opts.limit && last ? encodeNotificationCursor({ createdAt: last.created_at, id: last.id }) : null;
  if (page.length === 0) return { data: [], next };

  const ids = page.map((r) => r.id);
  const batches = await db
    .selectFrom('delivery_batches')
    .select(['notification_id', sql<number>`coalesce(sum(delivered), 0)`.as('delivered'), sql<number>`coalesce(sum(failed), 0)`.as('failed')])
    .where('notification_id', 'in', ids)
    .where('done', '=', 1)
    .groupBy('notification_id')
    .execute();
  // Accepted by Carillon's own push service, then refused by the browser (ack 101 or 102):
  // delivered by the batch, failed in the end, as getNotification counts them.
  const unshown = await db
    .selectFrom('delivery_failures')
    .select(['notification_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('notification_id', 'in', ids)
    .where('outcome', 'in', UNSHOWN_OUTCOME_NAMES)
    .groupBy('notification_id')
    .execute();
  // Each recipient once per kind of event (a click on two buttons is one who clicked).
  const engagement = await db
    .selectFrom('events')
    .select(['notification_id', 'type', sql<number>`count(distinct subscription_id)`.as('n')])
    .where('notification_id', 'in', ids)
    .where('type', 'in', NOTIFICATION_EVENTS.filter((t) => t !== 'dismissed'))
    .groupBy(['notification_id', 'type'])
    .execute();

  const byId = new Map(batches.map((b) => [b.notification_id, b]));
  const unshownById = new Map(unshown.map((u) => [u.notification_id, Number(u.n)]));
  return {
    data: page.map((row) => {
      const b = byId.get(row.id);
      const delivered = Number(b?.delivered ?? 0);
      const moved = Math.min(unshownById.get(row.id) ?? 0, delivered);
      const events = (type: string) => Number(engagement.find((e) => e.notification_id === row.id && e.type === type)?.n ?? 0);
      const content = JSON.parse(row.content) as { title?: unknown };
      return {
        id: row.id,
        status: row.status,
        title: typeof content.title === 'string' ? content.title : null,
        createdAt: new Date(row.created_at).toISOString(),
        sendAt: new Date(row.send_at).toISOString(),
        completedAt: row.completed_at ? new Date(row.completed_at).toISOString() : null,
        campaignId: row.campaign_id,
        campaignRun: row.campaign_run,
        counts: { targeted: row.targeted, delivered: delivered - moved, failed: Number(b?.failed ?? 0) + moved, displayed: events('displayed'), clicked: events('clicked') },
      };
    }),
    next,
  };
}
