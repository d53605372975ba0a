import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

const HOUR_MS = 3_600_000;

/**
 * Every webhook attempt, and clicks counted once per recipient (issue #13).
 *
 * - `webhook_attempts`: one row per attempt of a webhook message (src/webhooks/), written
 *   with the attempt's outcome: when, the HTTP status or why none came, how long, the
 *   start of the answer's body (bounded), and when the next attempt is due. It goes with
 *   its message (`on delete cascade`), so the delivery log's retention keeps the attempts
 *   of the messages it keeps.
 * - `activity.repeated`: 1 on a click of a recipient (notification and subscription) who
 *   had already clicked that notification (a second action button). The log keeps the row
 *   (webhooks carry it, the per-button counts count it); the rollups' `clicked` does not,
 *   so the funnel and the click rates count each recipient once, and a rebuild from the
 *   raw log counts the same, also after an erasure has taken the subscription's id out.
 * - `recipient_clicks`: who has clicked what, one row per notification and subscription,
 *   taken by the click report that comes first (a primary key: two reports at once for the
 *   same recipient cannot both be first). It goes with the subscription or notification.
 * - `activity.counted_action`: on a click, the button it is counted under (`clicked:<action>`
 *   rollups): its `action` when the notification names that button, else null. `action`
 *   stays as the browser or app reported it (webhooks carry it); the counts take only the
 *   buttons the notification has, so made-up ids cannot grow the rollups.
 * - The rollups gain `clicked:<action>` rows (per action button, every button clicked),
 *   beside `clicked` (per recipient); the per-app totals do not hold them.
 *
 * Rows already in the log are marked as a click report would have marked them (the first
 * click by seq is the recipient's), and the rollups of the hours they are in are corrected
 * by the same counts; hours whose raw rows retention has deleted keep their counts.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await sql`create table webhook_attempts (
    message_id text not null references webhook_messages(id) on delete cascade,
    attempt integer not null,
    replay integer not null,
    attempted_at ${sql.raw(time)} not null,
    status integer,
    error text,
    duration_ms integer not null,
    response text,
    next_attempt_at ${sql.raw(time)},
    primary key (message_id, attempt)
  )`.execute(db);

  await sql`alter table activity add column repeated integer not null default 0`.execute(db);
  await sql`alter table activity add column counted_action text`.execute(db);
  await sql`create table recipient_clicks (
    notification_id text not null references notifications(id) on delete cascade,
    subscription_id text not null references subscriptions(id) on delete cascade,
    at ${sql.raw(time)} not null,
    primary key (notification_id, subscription_id)
  )`.execute(db);
  // A deleted subscription's rows, found without a scan (the foreign key's delete).
  await db.schema.createIndex('recipient_clicks_subscription').on('recipient_clicks').column('subscription_id').execute();

  // The log as it stands: every click after a recipient's first is a repeat.
  await sql`update activity set repeated = 1 where seq in (
    select seq from (
      select seq, row_number() over (partition by notification_id, subscription_id order by seq) as n
      from activity where type = 'clicked' and notification_id is not null and subscription_id is not null
    ) as ranked where n > 1
  )`.execute(db);
  await sql`insert into recipient_clicks (notification_id, subscription_id, at)
    select notification_id, subscription_id, min(at) from activity
    where type = 'clicked' and repeated = 0
      and notification_id in (select id from notifications) and subscription_id in (select id from subscriptions)
    group by notification_id, subscription_id`.execute(db);

  await sql`update activity set counted_action = action where type = 'clicked' and action is not null`.execute(db);

  // The rollups of those hours, corrected by what the repeats had added to `clicked`.
  const hour = sql`at - (at % ${sql.lit(HOUR_MS)})`;
  const dims = sql`app_id, ${hour}, coalesce(campaign_id, ''), coalesce(notification_id, ''), coalesce(variant, ''), coalesce(category, ''), coalesce(channel, '')`;
  // UPDATE ... FROM: PostgreSQL, and SQLite since 3.33 (better-sqlite3 12 bundles a later one).
  await sql`update activity_rollups set count = activity_rollups.count - r.n
    from (select app_id, ${hour} as hour, coalesce(campaign_id, '') as campaign_id, coalesce(notification_id, '') as notification_id,
            coalesce(variant, '') as variant, coalesce(category, '') as category, coalesce(channel, '') as channel, count(*) as n
          from activity where type = 'clicked' and repeated = 1 group by ${dims}) as r
    where activity_rollups.type = 'clicked' and activity_rollups.app_id = r.app_id and activity_rollups.hour = r.hour
      and activity_rollups.campaign_id = r.campaign_id and activity_rollups.notification_id = r.notification_id
      and activity_rollups.variant = r.variant and activity_rollups.category = r.category and activity_rollups.channel = r.channel`
    .execute(db);
  await sql`update activity_totals set count = activity_totals.count - (
      select count(*) from activity a where a.type = 'clicked' and a.repeated = 1 and a.app_id = activity_totals.app_id
        and a.at >= activity_totals.hour and a.at < activity_totals.hour + ${sql.lit(HOUR_MS)})
    where type = 'clicked' and exists (select 1 from activity a where a.type = 'clicked' and a.repeated = 1 and a.app_id = activity_totals.app_id
        and a.at >= activity_totals.hour and a.at < activity_totals.hour + ${sql.lit(HOUR_MS)})`.execute(db);
  await sql`delete from activity_rollups where type = 'clicked' and count <= 0`.execute(db);
  await sql`delete from activity_totals where type = 'clicked' and count <= 0`.execute(db);
  await sql`insert into activity_rollups (app_id, hour, campaign_id, notification_id, variant, category, channel, type, count, value_sum)
    select ${dims}, 'clicked:' || counted_action, count(*), 0 from activity where type = 'clicked' and counted_action is not null
    group by ${dims}, counted_action`.execute(db);
}
