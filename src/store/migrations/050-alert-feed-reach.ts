import { sql, type Kysely } from 'kysely';

/**
 * A feed says whom its alerts reach, as `?reach=` does for a posted alert
 * (docs/civic-alerts.md#connecting-a-cap-feed): `area` (the users of the alert's area and
 * zones), or `area_and_unlocated` for a feed of wide alerts (every user without a location
 * too). Feeds registered before reach their areas, as they did.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table alert_feeds add column reach text not null default 'area'`.execute(db);
}
