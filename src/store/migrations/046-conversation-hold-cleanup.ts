import { sql, type Kysely } from 'kysely';

/**
 * Closing a thread now lets go of its hold (docs/conversations.md#the-inbox): threads closed
 * before that still name their holder, and would stay in the holder's Mine. They are let go
 * here, as a close does now. `conversation_messages_operator` serves the `on delete set
 * null` of migration 044: removing an operator finds their messages by the index rather than
 * by reading every message of every thread.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`update conversations set assignee = null, taken_at = null where state = 'closed' and assignee is not null`.execute(db);
  await sql`create index conversation_messages_operator on conversation_messages (operator_id) where operator_id is not null`.execute(db);
}
