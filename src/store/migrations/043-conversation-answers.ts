import { sql, type Kysely } from 'kysely';

/**
 * - `conversations.answer_to`: where the thread's answers are pushed, as the notification's
 *   `reply.answerTo` chose: `device` (the one that replied; every thread opened before this
 *   migration) or `user` (all of the thread's user's subscriptions).
 * - `webhook_attempts.answer`: what became of an answer an endpoint gave in the body of its
 *   2xx response to a `conversation.message` (JSON `{outcome, seq?, reason?}`), null for
 *   every other attempt (src/conversations/sync-answer.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table conversations add column answer_to text not null default 'device'`.execute(db);
  await sql`alter table webhook_attempts add column answer text`.execute(db);
}
