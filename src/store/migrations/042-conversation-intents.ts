import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The built-in assistant carries out an intent's action (src/conversations/intent-job.ts,
 * docs/conversations-assistant.md#intents):
 *
 * - `conversation_messages.intent`: on a user's message the matcher took for an intent, the
 *   intent, its action and the language (JSON), written in the transaction that matched it,
 *   with the intent job; `intent_done_at` is when the action came to an end (an answer, the
 *   app's "later", or a hand-off). A message with the first and not the second is work the
 *   reconcile pass puts back on the queue.
 * - `conversations.handoff_reason`: why the thread was last handed to a person
 *   (`low_confidence`, `intent_unreachable: ...`), so the person who takes it over knows.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  await sql`alter table conversation_messages add column intent text`.execute(db);
  await sql`alter table conversation_messages add column intent_done_at ${time}`.execute(db);
  await sql`alter table conversations add column handoff_reason text`.execute(db);
}
