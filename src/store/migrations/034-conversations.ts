import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Conversations (src/conversations/, docs/conversations.md): a user's replies to a
 * notification, and the answers pushed back into the same thread.
 *
 * - `conversations` is one thread per notification and recipient (subscription): the
 *   unique `conversations_send` makes a re-run of a delivery batch find the thread it
 *   opened rather than open a second one; `next_seq` numbers the thread's messages;
 * - `conversation_messages` keeps a thread's messages in `seq` order; `client_id` is the
 *   replying device's id for the message, unique per thread, so a reply sent twice (the
 *   device retried) is stored once; `handled_at` says the assistant has taken a user's
 *   message and `notification_id` which push carried an answer (null until it is queued),
 *   what the reconcile pass looks for;
 * - `assistant_knowledge_bases` holds each app's built-in assistant knowledge base, its
 *   version bumped by each upload (the matcher's index is cached per version).
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  await sql`create table conversations (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    notification_id text not null,
    subscription_id text not null,
    user_id text,
    state text not null,
    assistant text not null,
    title text not null,
    placeholder text not null,
    reply_title text not null,
    next_seq integer not null,
    created_at ${time} not null,
    updated_at ${time} not null,
    expires_at ${time} not null
  )`.execute(db);
  await db.schema.createIndex('conversations_send').on('conversations').columns(['notification_id', 'subscription_id']).unique().execute();
  await db.schema.createIndex('conversations_app').on('conversations').columns(['app_id', 'created_at', 'id']).execute();
  await sql`create table conversation_messages (
    conversation_id text not null references conversations(id) on delete cascade,
    seq integer not null,
    author text not null,
    text text not null,
    actions text,
    client_id text,
    handled_at ${time},
    notification_id text,
    created_at ${time} not null,
    primary key (conversation_id, seq)
  )`.execute(db);
  await db.schema.createIndex('conversation_messages_client').on('conversation_messages').columns(['conversation_id', 'client_id']).unique().execute();
  await db.schema.createIndex('conversation_messages_notification').on('conversation_messages').column('notification_id').execute();
  await sql`create table assistant_knowledge_bases (
    app_id text primary key references apps(id) on delete cascade,
    body text not null,
    version integer not null,
    updated_at ${time} not null
  )`.execute(db);
}
