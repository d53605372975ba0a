import { sql, type Kysely } from 'kysely';

/**
 * `conversation_messages.choice`: on a user's message that is a tapped button of the
 * thread's latest answer (a slot the built-in assistant offered, `slot:tue-10`), the
 * button's action id; its title is the message's text. Null for a typed reply and for
 * every message stored before this migration (src/conversations/receive-reply.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table conversation_messages add column choice text`.execute(db);
}
