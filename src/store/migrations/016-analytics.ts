import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Analytics (src/analytics/, docs/analytics.md).
 *
 * - `activity_rollups`: the activity log counted per hour and per dimension (app, type,
 *   campaign, notification, variant, category, channel), with the sum of `value`. Updated
 *   in the transaction that appends the rows it counts, so the rollups and the raw log
 *   always agree; rebuilt from the log by `carillon analytics rebuild`. An absent
 *   dimension is stored as '' (not null) so that it is part of the primary key on both
 *   engines. `type` is an activity type, or one of the SDK's opt-in steps (prompt_shown,
 *   permission_granted, ...), which the event report counts here without a log row.
 * - `activity_totals`: the same per app, hour and type only (an app's overall series).
 * - `conversion_touches`: per notification and user, when the user first displayed and
 *   first clicked it (on which subscription, with the dimensions its conversion is counted
 *   under), and whether the conversion was counted: a conversion event looks here, and
 *   counts once per recipient.
 * - `notifications.conversion`: the conversion events and window a notification names
 *   (JSON); a campaign's are in its definition.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  const float = dialect === 'postgres' ? 'double precision' : 'real';
  await sql`create table activity_rollups (
    app_id text not null references apps(id) on delete cascade,
    hour ${sql.raw(time)} not null,
    type text not null,
    campaign_id text not null,
    notification_id text not null,
    variant text not null,
    category text not null,
    channel text not null,
    count ${sql.raw(time)} not null,
    value_sum ${sql.raw(float)} not null,
    primary key (app_id, hour, type, campaign_id, notification_id, variant, category, channel)
  )${sql.raw(dialect === 'sqlite' ? ' without rowid' : '')}`.execute(db);
  // SQLite keeps the table in its primary key's order (without rowid): a range of hours is
  // one sequential read, not a lookup per row, which is most of a 30-day series' time.
  // A campaign's or a notification's own view reads only its rows.
  await db.schema.createIndex('activity_rollups_campaign').on('activity_rollups').columns(['app_id', 'campaign_id', 'hour']).execute();
  await db.schema.createIndex('activity_rollups_notification').on('activity_rollups').columns(['app_id', 'notification_id', 'hour']).execute();
  // The same counts per app, hour and type only: what an app's series without groupBy
  // reads, a few thousand rows a month whatever the number of campaigns and dimensions.
  await sql`create table activity_totals (
    app_id text not null references apps(id) on delete cascade,
    hour ${sql.raw(time)} not null,
    type text not null,
    count ${sql.raw(time)} not null,
    value_sum ${sql.raw(float)} not null,
    primary key (app_id, hour, type)
  )${sql.raw(dialect === 'sqlite' ? ' without rowid' : '')}`.execute(db);
  await sql`create table conversion_touches (
    notification_id text not null,
    user_id text not null,
    app_id text not null references apps(id) on delete cascade,
    campaign_id text,
    variant text,
    category text,
    channel text,
    subscription_id text,
    displayed_at ${sql.raw(time)},
    clicked_at ${sql.raw(time)},
    converted_at ${sql.raw(time)},
    primary key (notification_id, user_id)
  )`.execute(db);
  await db.schema.createIndex('conversion_touches_user').on('conversion_touches').columns(['app_id', 'user_id']).execute();
  await sql`alter table notifications add column conversion text`.execute(db);
}
