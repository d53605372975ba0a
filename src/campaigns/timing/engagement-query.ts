import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { ENGAGEMENT_WINDOW_MS } from './intelligent.ts';

/**
 * The engagement intelligent delivery learns from: `displayed` and `clicked` events of the
 * last 90 days (before `now`, the injected clock), found through their subscription's user.
 * Events of a subscription since deleted have no user any more and are not counted.
 *
 * Cost: both queries start from `events_app_type_at` (app, type, time), so each reads the
 * app's 90 days of displays and clicks once. Call `appEngagementRows` once per launch and
 * `userEngagementTimes` per page of users; an index on `events (subscription_id, at)` would
 * let the per-page query start from the page's subscriptions instead (there is none yet).
 */

const ENGAGEMENT_TYPES = ['displayed', 'clicked'];
const QUARTER_HOUR = 900_000; // ms; every zone's offset is a whole number of quarter hours

/**
 * Each user's engagement instants, by external id; users with none are absent. All the
 * user's subscriptions count (a click on the phone and a display on the laptop are both
 * the user's).
 *
 *     const times = await userEngagementTimes(db, appId, page.map((u) => u.externalId), now);
 *     planner.plan({ timezone: u.timezone, engagementTimes: times.get(u.externalId) });
 */
export async function userEngagementTimes(db: Kysely<Database>, appId: string, externalIds: readonly string[], now: number): Promise<Map<string, number[]>> {
  const byUser = new Map<string, number[]>();
  if (externalIds.length === 0) return byUser;
  const rows = await db
    .selectFrom('events as e')
    .innerJoin('subscriptions as s', (join) => join.onRef('s.id', '=', 'e.subscription_id').on('s.app_id', '=', appId))
    .select(['s.user_id as userId', 'e.at as at'])
    .where('e.app_id', '=', appId)
    .where('e.type', 'in', ENGAGEMENT_TYPES)
    .where('e.at', '>', now - ENGAGEMENT_WINDOW_MS)
    .where('e.at', '<=', now)
    .where('s.user_id', 'in', [...externalIds])
    .execute();
  for (const { userId, at } of rows) {
    if (userId === null) continue;
    let times = byUser.get(userId);
    if (times === undefined) byUser.set(userId, (times = []));
    times.push(Number(at));
  }
  return byUser;
}

/**
 * The app's engagement grouped by the zone of its reader and the quarter hour of UTC it
 * fell in, ready for `appBestHour` (each row counted `count` times at the quarter hour's
 * start). The rows are already cut to the 90 days: give appBestHour no `now`, which would
 * drop a quarter hour straddling the start. A row's zone is its user's, else its
 * subscription's, else null (the app's default then applies). As many rows as (zone,
 * quarter hour) pairs, not as clicks.
 */
export async function appEngagementRows(db: Kysely<Database>, appId: string, now: number): Promise<{ at: number; zone: string | null; count: number }[]> {
  const bucket = sql<number>`e.at / ${sql.lit(QUARTER_HOUR)}`;
  const zone = sql<string | null>`coalesce(u.timezone, s.timezone)`;
  const rows = await db
    .selectFrom('events as e')
    .innerJoin('subscriptions as s', (join) => join.onRef('s.id', '=', 'e.subscription_id').on('s.app_id', '=', appId))
    .leftJoin('users as u', (join) => join.onRef('u.external_id', '=', 's.user_id').on('u.app_id', '=', appId))
    .select([zone.as('zone'), bucket.as('bucket'), (eb) => eb.fn.countAll<number>().as('count')])
    .where('e.app_id', '=', appId)
    .where('e.type', 'in', ENGAGEMENT_TYPES)
    .where('e.at', '>', now - ENGAGEMENT_WINDOW_MS)
    .where('e.at', '<=', now)
    .groupBy([zone, bucket])
    .execute();
  // Integer division on both engines (SQLite integer / integer, PostgreSQL bigint / bigint).
  return rows.map((r) => ({ at: Number(r.bucket) * QUARTER_HOUR, zone: r.zone, count: Number(r.count) }));
}
