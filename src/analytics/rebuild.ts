import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../store/dialect.ts';
import { ACTION_CLICK_PREFIX, HOUR_MS } from '../store/activity-log.ts';
import type { Database } from '../store/schema.ts';
import { OPT_IN_EVENTS } from './event-types.ts';

export interface RebuildScope {
  /** Hours from this one on (unix ms, aligned down to the hour) are recounted; those before are kept as they are. */
  since: number;
  /** One app's rollups; all apps' when absent. */
  appId?: string;
}

/**
 * Recounts the hourly rollups from the raw activity log (`carillon analytics rebuild`),
 * for the hours from `since` on: the rollups of those hours are deleted and summed again
 * with one aggregate per source in the store, then their per-app totals from them, all in
 * one transaction. Hours before `since`
 * are kept: their raw rows may be gone by retention, and the rollups are then what is left
 * of them (docs/analytics.md#rebuild). The SDK's opt-in steps are counted from the stored
 * events (`events`), which are their raw rows.
 *
 * Writers that append meanwhile wait (PostgreSQL: the table is locked for the transaction;
 * SQLite: one writer at a time), so the rollups come out equal to the log, with the rows
 * committed after the rebuild added to them as usual.
 */
export async function rebuildRollups(db: Kysely<Database>, dialect: Dialect, scope: RebuildScope): Promise<{ rows: number }> {
  const since = scope.since - (((scope.since % HOUR_MS) + HOUR_MS) % HOUR_MS);
  const app = (column: string) => (scope.appId === undefined ? sql`` : sql` and ${sql.ref(column)} = ${scope.appId}`);
  const hour = sql`at - (at % ${sql.lit(HOUR_MS)})`;
  const dims = sql`app_id, ${hour}, coalesce(campaign_id, ''), coalesce(notification_id, ''), coalesce(variant, ''), coalesce(category, ''), coalesce(channel, '')`;
  const columns = sql`(app_id, hour, campaign_id, notification_id, variant, category, channel, type, count, value_sum)`;
  return db.transaction().execute(async (tx) => {
    // Both tables, in the order appendActivity writes them, before anything is read.
    if (dialect === 'postgres') await sql`lock table activity_rollups, activity_totals in exclusive mode`.execute(tx);
    await sql`delete from activity_rollups where hour >= ${since}${app('app_id')}`.execute(tx);
    // A repeated click (a recipient's second button) is not counted again in `clicked`.
    await sql`insert into activity_rollups ${columns}
      select ${dims}, type, count(*), coalesce(sum(value), 0) from activity where at >= ${since} and repeated = 0${app('app_id')}
      group by ${dims}, type`.execute(tx);
    // Each button's clicks, repeats included, as `clicked:<action>` (appendActivity's countables).
    await sql`insert into activity_rollups ${columns}
      select ${dims}, ${ACTION_CLICK_PREFIX} || counted_action, count(*), 0 from activity
      where at >= ${since} and type = 'clicked' and counted_action is not null${app('app_id')}
      group by ${dims}, counted_action`.execute(tx);
    // A conversion's kind, as appendActivity counts it (src/store/activity-log.ts): data is
    // written by JSON.stringify with `kind` first.
    for (const kind of ['direct', 'influenced']) {
      await sql`insert into activity_rollups ${columns}
        select ${dims}, ${`converted_${kind}`}, count(*), coalesce(sum(value), 0) from activity
        where at >= ${since} and type = 'converted' and data like ${`{"kind":"${kind}"%`}${app('app_id')}
        group by ${dims}`.execute(tx);
    }
    await sql`insert into activity_rollups ${columns}
      select app_id, ${hour}, '', '', '', '', '', type, count(*), 0 from events
      where at >= ${since} and type in (${sql.join(OPT_IN_EVENTS.map((t) => sql`${t}`))})${app('app_id')}
      group by app_id, ${hour}, type`.execute(tx);
    await sql`delete from activity_totals where hour >= ${since}${app('app_id')}`.execute(tx);
    await sql`insert into activity_totals (app_id, hour, type, count, value_sum)
      select app_id, hour, type, sum(count), sum(value_sum) from activity_rollups
      where hour >= ${since} and type not like ${`${ACTION_CLICK_PREFIX}%`}${app('app_id')}
      group by app_id, hour, type`.execute(tx);
    const n = await sql<{ n: number }>`select count(*) as n from activity_rollups where hour >= ${since}${app('app_id')}`.execute(tx);
    return { rows: Number(n.rows[0]?.n ?? 0) };
  });
}
