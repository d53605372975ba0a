import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Civic alerts (src/alerts/, docs/civic-alerts.md): CAP 1.2 alerts as received, and the
 * references between them.
 *
 * - An alert's identity is (sender, identifier, sent) (CAP 1.2 §3.2.1): the unique index
 *   holds it per app, `sent_at` being the instant (two spellings of one time, `Z` and
 *   `-00:00`, are one alert). `sent` keeps the text as written.
 * - `disposition` is who the alert is for: `public`, `testers` (Exercise and Test),
 *   `none` (System, Draft, a scope other than Public, Ack and Error), `archived` (expired
 *   on arrival), `cancelled` or `replaced` (by a later Cancel or Update, `cancelled_by` /
 *   `replaced_by` naming it). `reason` says why, for people.
 * - `alert_references`: each entry of an alert's `<references>`, `target_id` the alert it
 *   resolved to. A reference to an alert not seen yet keeps `target_id` null: a tombstone,
 *   so that the original, arriving late, is stored cancelled (or replaced) and never sent.
 * - `document` is the parsed alert (JSON), `cap_xml` the bytes as received (null for the
 *   JSON form), kept for the public feed and for audit.
 * - `alert_testers`: the users who opted into Exercise and Test alerts.
 *   `user_alert_zones`: the zones (`SAME:006109`) a user picked, for users reached by
 *   geocode rather than by their location (users.lat, users.lon).
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await sql`create table alerts (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    sender text not null,
    identifier text not null,
    sent text not null,
    sent_at ${sql.raw(time)} not null,
    status text not null,
    msg_type text not null,
    scope text not null,
    disposition text not null,
    reason text not null,
    expires_at ${sql.raw(time)},
    cancelled_by text,
    replaced_by text,
    document text not null,
    cap_xml text,
    received_at ${sql.raw(time)} not null
  )`.execute(db);
  await db.schema.createIndex('alerts_identity').unique().on('alerts').columns(['app_id', 'sender', 'identifier', 'sent_at']).execute();
  // Newest first for the list, the public page and the feed.
  await db.schema.createIndex('alerts_app_received').on('alerts').columns(['app_id', 'received_at', 'id']).execute();
  await sql`create table alert_references (
    alert_id text not null references alerts(id) on delete cascade,
    position integer not null,
    app_id text not null,
    ref_sender text,
    ref_identifier text not null,
    ref_sent_at ${sql.raw(time)},
    target_id text,
    primary key (alert_id, position)
  )`.execute(db);
  // A new alert looks up the tombstones that name it.
  await db.schema.createIndex('alert_references_ref').on('alert_references').columns(['app_id', 'ref_identifier']).execute();
  await sql`create table alert_testers (
    app_id text not null references apps(id) on delete cascade,
    external_id text not null,
    opted_in_at ${sql.raw(time)} not null,
    primary key (app_id, external_id)
  )`.execute(db);
  await sql`create table user_alert_zones (
    app_id text not null references apps(id) on delete cascade,
    external_id text not null,
    zone text not null,
    primary key (app_id, external_id, zone)
  )`.execute(db);
  await db.schema.createIndex('user_alert_zones_zone').on('user_alert_zones').columns(['app_id', 'zone']).execute();
}
