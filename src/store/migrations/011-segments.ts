import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Segments (src/audience/segments/): an audience filter saved under an id, and the
 * segments each one names, so that a segment still referred to is not deleted and a
 * change that would make a loop is refused without reading every filter of the app.
 *
 * `notifications.audience` is the filter of a `{segment}` or `{filter}` target with every
 * segment expanded when the notification was accepted (docs/audience.md, "Segments and
 * sending"): a later change to a segment does not change a send already accepted.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await sql`create table segments (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    name text not null,
    filter text not null,
    created_at ${sql.raw(time)} not null,
    updated_at ${sql.raw(time)} not null
  )`.execute(db);
  // Listing in creation order by keyset: (app_id, created_at, id).
  await db.schema.createIndex('segments_app_created').on('segments').columns(['app_id', 'created_at', 'id']).execute();

  await sql`create table segment_references (
    segment_id text not null references segments(id) on delete cascade,
    app_id text not null,
    referenced_id text not null,
    primary key (segment_id, referenced_id)
  )`.execute(db);
  // "Who names this segment?", asked before a delete.
  await db.schema.createIndex('segment_references_referenced').on('segment_references').columns(['app_id', 'referenced_id']).execute();

  await db.schema.alterTable('notifications').addColumn('audience', 'text').execute();
}
