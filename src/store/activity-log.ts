import type { Insertable, Kysely } from 'kysely';
import { columnsOf, preparedMany } from './prepared.ts';
import type { ActivityType, Database } from './schema.ts';
import type { ActivityTable } from './schema-activity.ts';
import type { ActivityRollupsTable, ActivityTotalsTable } from './schema-analytics.ts';

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
  /**
   * A click of a recipient who had clicked the notification already (another button):
   * logged, counted for its button, not again in `clicked` (migration 025).
   */
  repeated?: boolean;
  /** A click's button as counted per button: `action` when the notification names it; absent or null otherwise (then no per-button count). */
  countedAction?: string | null;
}

/** An outcome as the log holds it. */
export interface LoggedActivity extends Required<Omit<Activity, 'data' | 'repeated' | 'countedAction'>> {
  seq: number;
  data: Record<string, unknown> | null;
}

/** Rows per insert: 16 values each, well under SQLite's 32,766 bound variables. */
const INSERT_CHUNK = 1000;

/** Most rows one read returns. */
export const MAX_ACTIVITY_PAGE = 10_000;

/**
 * Appends outcomes. Pass the transaction that commits what they describe (a batch's
 * progress, an event report): the log then never holds an outcome that was rolled back,
 * nor misses one that was committed.
 */
export async function appendActivity(db: Kysely<Database>, activities: readonly Activity[]): Promise<void> {
  if (activities.length === 0) return;
  // The rollups count what the log holds, so they are updated in the same transaction:
  // a caller that passes none gets one, and the two never disagree (docs/analytics.md).
  if (!db.isTransaction) return db.transaction().execute((tx) => appendActivity(tx, activities));
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
      repeated: a.repeated === true ? 1 : 0,
      counted_action: a.type === 'clicked' ? (a.countedAction ?? null) : null,
    }));
    await activityRows.affected(db, rows);
  }
  await addToRollups(db, activities.flatMap(countablesOf));
}

/** The rollup type of a click on one action button: `clicked:<action id>`. */
export const ACTION_CLICK_PREFIX = 'clicked:';

/**
 * What a log row adds to the rollups: itself (unless it repeats a recipient's click), for
 * a conversion also its kind (`converted_direct`, `converted_influenced`), and for a click
 * on a button `clicked:<action>`, so that neither split needs a raw row.
 */
function countablesOf(a: Activity): Countable[] {
  const out: Countable[] = a.repeated === true ? [] : [a];
  const kind = a.type === 'converted' ? a.data?.kind : undefined;
  if (kind === 'direct' || kind === 'influenced') out.push({ ...a, type: `converted_${kind}` });
  if (a.type === 'clicked' && a.countedAction) out.push({ ...a, type: `${ACTION_CLICK_PREFIX}${a.countedAction}` });
  return out;
}

/** ms in an hour: the rollups' grain. */
export const HOUR_MS = 3_600_000;

/** What a rollup row counts: an activity, or an opt-in step the event report counts without a log row. */
export interface Countable {
  appId: string;
  /** An activity type or an opt-in step (prompt_shown, permission_granted, ...). */
  type: string;
  at: number;
  notificationId?: string | null;
  campaignId?: string | null;
  variant?: string | null;
  category?: string | null;
  channel?: string | null;
  value?: number | null;
}

/** Rollup rows per upsert: 10 values each. */
const ROLLUP_CHUNK = 1000;

/**
 * Adds to the hourly rollups (migration 016), and to their per-app totals, in the
 * caller's transaction: one upsert row
 * per hour and dimension, summed here first (a statement may not touch a row twice on
 * PostgreSQL), in key order, so that two transactions take the rows' locks in one order
 * and cannot deadlock.
 */
export async function addToRollups(db: Kysely<Database>, items: readonly Countable[]): Promise<void> {
  const sums = new Map<string, { app_id: string; hour: number; type: string; campaign_id: string; notification_id: string; variant: string; category: string; channel: string; count: number; value_sum: number }>();
  for (const a of items) {
    const row = {
      app_id: a.appId,
      hour: a.at - (a.at % HOUR_MS),
      type: a.type,
      campaign_id: a.campaignId ?? '',
      notification_id: a.notificationId ?? '',
      variant: a.variant ?? '',
      category: a.category ?? '',
      channel: a.channel ?? '',
    };
    const key = JSON.stringify(Object.values(row));
    const sum = sums.get(key);
    if (sum) {
      sum.count += 1;
      sum.value_sum += a.value ?? 0;
    } else sums.set(key, { ...row, count: 1, value_sum: a.value ?? 0 });
  }
  const rows = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  const totals = new Map<string, { app_id: string; hour: number; type: string; count: number; value_sum: number }>();
  for (const r of rows) {
    // The totals are an app's overall series: per-button clicks belong to a notification's own view.
    if (r.type.startsWith(ACTION_CLICK_PREFIX)) continue;
    const key = JSON.stringify([r.app_id, r.hour, r.type]);
    const t = totals.get(key);
    if (t) {
      t.count += r.count;
      t.value_sum += r.value_sum;
    } else totals.set(key, { app_id: r.app_id, hour: r.hour, type: r.type, count: r.count, value_sum: r.value_sum });
  }
  for (let i = 0; i < rows.length; i += ROLLUP_CHUNK) await rollupRows.affected(db, rows.slice(i, i + ROLLUP_CHUNK));
  const totalRows = [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  for (let i = 0; i < totalRows.length; i += ROLLUP_CHUNK) await totalsRows.affected(db, totalRows.slice(i, i + ROLLUP_CHUNK));
}

// The writes of every outcome, prepared for each row count (src/store/prepared.ts).
type ActivityRow = Omit<Insertable<ActivityTable>, 'seq'>;
const ACTIVITY_COLUMNS = ['app_id', 'type', 'at', 'notification_id', 'campaign_id', 'variant', 'category', 'channel', 'subscription_id', 'user_id', 'action', 'value', 'data', 'repeated', 'counted_action'] as const;
const activityRows = preparedMany((db, $: readonly ActivityRow[]) => db.insertInto('activity').values($.map((r) => columnsOf(r, ACTIVITY_COLUMNS))));

type RollupRow = Insertable<ActivityRollupsTable>;
const ROLLUP_COLUMNS = ['app_id', 'hour', 'type', 'campaign_id', 'notification_id', 'variant', 'category', 'channel', 'count', 'value_sum'] as const;
const rollupRows = preparedMany((db, $: readonly RollupRow[]) =>
  db
    .insertInto('activity_rollups')
    .values($.map((r) => columnsOf(r, ROLLUP_COLUMNS)))
    .onConflict((oc) =>
      oc.columns(['app_id', 'hour', 'type', 'campaign_id', 'notification_id', 'variant', 'category', 'channel']).doUpdateSet((eb) => ({
        count: eb('activity_rollups.count', '+', eb.ref('excluded.count')),
        value_sum: eb('activity_rollups.value_sum', '+', eb.ref('excluded.value_sum')),
      })),
    ),
);

type TotalsRow = Insertable<ActivityTotalsTable>;
const totalsRows = preparedMany((db, $: readonly TotalsRow[]) =>
  db
    .insertInto('activity_totals')
    .values($.map((r) => columnsOf(r, ['app_id', 'hour', 'type', 'count', 'value_sum'])))
    .onConflict((oc) =>
      oc.columns(['app_id', 'hour', 'type']).doUpdateSet((eb) => ({
        count: eb('activity_totals.count', '+', eb.ref('excluded.count')),
        value_sum: eb('activity_totals.value_sum', '+', eb.ref('excluded.value_sum')),
      })),
    ),
);

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
