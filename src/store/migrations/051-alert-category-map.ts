import { sql, type Kysely } from 'kysely';

/**
 * An app's alerts may go in categories of its own (issue #16;
 * docs/civic-alerts.md#categories-a-user-can-turn-off): `alert_settings.categories` maps
 * CAP `<category>` values to categories of the app, a JSON object (`{"Met": "weather"}`),
 * or null for none, so every alert goes in `civic` as before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table alert_settings add column categories text`.execute(db);
}
