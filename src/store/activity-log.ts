import type { Kysely } from 'kysely';
import type { ActivityType, Database } from './schema.ts';

/**
 * The activity log: every outcome as one row, in commit order (migration 015). Writers
 * append in the transaction of the outcome they describe, so the log holds exactly what
 * was committed: analytics counts it, and outgoing webhooks read it past a cursor of their
 * own, which makes them at least once across a crash without a second queue to keep in
 * step.
 */

/** One outcome, before it has a place in the log. */
export interface Activity {
  appId: string;
  type: ActivityType;
  /** When it happened (unix ms). */
  at: number;
  notificationId?: string | null;
  campaignId?: string | null;
  variant?: string | null;
  category?: string | null;
  channel?: string | null;
  subscriptionId?: string | null;
  /** The user's external id. */
  userId?: string | null;
  action?: string | null;
  value?: number | null;
  /** What explains the outcome; stored as JSON. Never a secret or the message's content. */
  data?: Record<string, unknown> | null;
}

/** An outcome as the log holds it. */
export interface LoggedActivity extends Required<Omit<Activity, 'data'>> {
  seq: number;
  data: Record<string, unknown> | null;
}

/** Rows per insert: 14 values each, well under SQLite's 32,766 bound variables. */
const INSERT_CHUNK = 1000;

/** Most rows one read returns. */
export const MAX_ACTIVITY_PAGE = 10_000;

/**
 * Appends outcomes. Pass the transaction that commits what they describe (a batch's
 * progress, an event report): the log then never holds an outcome that was rolled back,
 * nor misses one that was committed.
 */
export async function appendActivity(db: Kysely<Database>, activities: readonly Activity[]): Promise<void> {
  for (let i = 0; i < activities.length; i += INSERT_CHUNK) {
    const rows = activities.slice(i, i + INSERT_CHUNK).map((a) => ({
      app_id: a.appId,
      type: a.type,
      at: a.at,
      notification_id: a.notificationId ?? null,
      campaign_id: a.campaignId ?? null,
      variant: a.variant ?? null,
      category: a.category ?? null,
      channel: a.channel ?? null,
      subscription_id: a.subscriptionId ?? null,
      user_id: a.userId ?? null,
      action: a.action ?? null,
      value: a.value ?? null,
      data: a.data === undefined || a.data === null ? null : JSON.stringify(a.data),
    }));
    await db.insertInto('activity').values(rows).execute();
  }
}

/** Which part of the log to read: past `afterSeq`, oldest first, of one app or of all. */
export interface ActivityQuery {
  afterSeq: number;
  limit: number;
  appId?: string;
  types?: readonly ActivityType[];
  /** Only rows that happened in [from, to) (unix ms). */
  from?: number;
  to?: number;
}

/** Reads the log in seq order. */
export async function readActivity(db: Kysely<Database>, q: ActivityQuery): Promise<LoggedActivity[]> {
  let query = db
    .selectFrom('activity')
    .selectAll()
    .where('seq', '>', q.afterSeq)
    .orderBy('seq')
    .limit(Math.min(Math.max(1, q.limit), MAX_ACTIVITY_PAGE));
  if (q.appId !== undefined) query = query.where('app_id', '=', q.appId);
  if (q.types !== undefined) {
    if (q.types.length === 0) return [];
    query = query.where('type', 'in', [...q.types]);
  }
  if (q.from !== undefined) query = query.where('at', '>=', q.from);
  if (q.to !== undefined) query = query.where('at', '<', q.to);
  const rows = await query.execute();
  return rows.map((r) => ({
    seq: r.seq,
    appId: r.app_id,
    type: r.type,
    at: r.at,
    notificationId: r.notification_id,
    campaignId: r.campaign_id,
    variant: r.variant,
    category: r.category,
    channel: r.channel,
    subscriptionId: r.subscription_id,
    userId: r.user_id,
    action: r.action,
    value: r.value,
    data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>),
  }));
}

/** The highest seq in the log, 0 when empty: where a new reader that wants only what comes next starts. */
export async function lastActivitySeq(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('activity').select((eb) => eb.fn.max('seq').as('max')).executeTakeFirst();
  return Number(row?.max ?? 0);
}
