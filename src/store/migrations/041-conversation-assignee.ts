import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * A person takes a thread over from the assistant (docs/conversations.md#the-inbox):
 * `assignee` is the operator who holds it, `taken_at` when they took it; both null while no
 * one does. Removing the operator lets the thread go (`on delete set null`): it stays
 * waiting for a person, held by no one. `conversations_assignee` serves the inbox's
 * "mine" list, newest first, as `conversations_app` serves the whole list.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  await sql`alter table conversations add column assignee text references operators(id) on delete set null`.execute(db);
  await sql`alter table conversations add column taken_at ${time}`.execute(db);
  await db.schema.createIndex('conversations_assignee').on('conversations').columns(['app_id', 'assignee', 'created_at', 'id']).execute();
}
