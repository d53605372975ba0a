import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Civic alerts around the store of alerts (src/alerts/, docs/civic-alerts.md):
 *
 * - `alert_feeds`: CAP feeds an app polls (src/alerts/feeds/). `etag` and `last_modified`
 *   are the validators of the last answer (RFC 9110 §8.8), sent back as If-None-Match and
 *   If-Modified-Since; `seen_entries` the JSON list of entry keys of the last document
 *   whose CAP messages were read, so a linked CAP document is fetched once; `failures` the
 *   polls failed in a row (the backoff); `next_poll_at` when the poll job is due, `poll_seq` which poll that is (the job's key:
 *   a PATCH that moves the poll makes a new one, so the job it replaces does nothing).
 * - `alert_geocode_tables` and `alert_geocodes`: code → polygon tables an app uploaded,
 *   one per `value_name` (`SAME`, `FIPS6`, a postcode scheme), each code's geometry as
 *   GeoJSON (`[lon, lat]`) and its box for the area's look-ups.
 * - `user_alert_locations`: a position the user shared for alerts through the SDK, after
 *   agreeing in the browser; used for alerts alone (users.lat/lon are the app backend's).
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  const real = dialect === 'postgres' ? 'double precision' : 'real';
  await sql`create table alert_feeds (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    url text not null,
    interval_s integer not null,
    etag text,
    last_modified text,
    seen_entries text not null,
    status text not null,
    failures integer not null,
    error_code text,
    error_detail text,
    last_poll_at ${sql.raw(time)},
    last_success_at ${sql.raw(time)},
    next_poll_at ${sql.raw(time)} not null,
    poll_seq integer not null,
    last_entries integer not null,
    alerts_received integer not null,
    created_at ${sql.raw(time)} not null,
    updated_at ${sql.raw(time)} not null
  )`.execute(db);
  await db.schema.createIndex('alert_feeds_app').on('alert_feeds').columns(['app_id', 'created_at', 'id']).execute();
  // The reconcile pass looks for overdue feeds.
  await db.schema.createIndex('alert_feeds_due').on('alert_feeds').columns(['next_poll_at']).execute();
  await sql`create table alert_geocode_tables (
    app_id text not null references apps(id) on delete cascade,
    value_name text not null,
    code_property text not null,
    codes integer not null,
    bytes integer not null,
    created_at ${sql.raw(time)} not null,
    primary key (app_id, value_name)
  )`.execute(db);
  await sql`create table alert_geocodes (
    app_id text not null references apps(id) on delete cascade,
    value_name text not null,
    code text not null,
    geometry text not null,
    min_lon ${sql.raw(real)} not null,
    min_lat ${sql.raw(real)} not null,
    max_lon ${sql.raw(real)} not null,
    max_lat ${sql.raw(real)} not null,
    primary key (app_id, value_name, code)
  )`.execute(db);
  await sql`create table user_alert_locations (
    app_id text not null references apps(id) on delete cascade,
    external_id text not null,
    lat ${sql.raw(real)} not null,
    lon ${sql.raw(real)} not null,
    accuracy_m ${sql.raw(real)},
    updated_at ${sql.raw(time)} not null,
    primary key (app_id, external_id)
  )`.execute(db);
}
