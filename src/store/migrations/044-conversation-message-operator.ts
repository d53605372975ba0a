import { sql, type Kysely } from 'kysely';

/**
 * `conversation_messages.operator_id`: on a message a person wrote (`author` `person`, from
 * the dashboard's inbox), the operator who wrote it, so the thread shows which of the
 * app's people answered, as it shows who holds it (docs/conversations.md#the-api); null on
 * every other message and on those written before this migration. Removing the operator
 * keeps their messages (`on delete set null`): they stay a person's, no longer named.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table conversation_messages add column operator_id text references operators(id) on delete set null`.execute(db);
}
