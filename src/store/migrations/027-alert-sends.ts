import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Sending civic alerts (src/alerts/send/, docs/civic-alerts.md#sending):
 *
 * - `alert_notifications`: the notification an alert was sent as, one per alert at most
 *   (the primary key: an alert received twice is sent once). `kind` is `alert` or
 *   `all_clear` (a Cancel, or an Update that says the danger is past). `thread` is the
 *   collapse key the alert and every Update and Cancel of it share (Web Push `tag` and
 *   `Topic`, `apns-collapse-id`, FCM `collapse_key`), so each replaces the one before on the
 *   device. `include_unlocated` is the operator's choice, for a wide alert, to reach users
 *   without a location too (otherwise they are reached only by their zones).
 * - `alert_settings`: an app's settings for alerts. `apns_critical_alerts` says its APNs
 *   credentials carry Apple's critical-alert entitlement, so top-priority alerts go as
 *   `interruption-level: critical` (time-sensitive otherwise); `public_page` 1 serves the public
 *   page of the app's alerts and its Atom feed (0: turned off).
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await sql`create table alert_notifications (
    alert_id text primary key references alerts(id) on delete cascade,
    app_id text not null references apps(id) on delete cascade,
    notification_id text not null,
    kind text not null,
    thread text not null,
    include_unlocated integer not null default 0,
    created_at ${sql.raw(time)} not null
  )`.execute(db);
  // The deliver job finds a batch's alert by its notification.
  await db.schema.createIndex('alert_notifications_notification').unique().on('alert_notifications').column('notification_id').execute();
  await sql`create table alert_settings (
    app_id text primary key references apps(id) on delete cascade,
    apns_critical_alerts integer not null default 0,
    public_page integer not null default 1,
    updated_at ${sql.raw(time)} not null
  )`.execute(db);
}
