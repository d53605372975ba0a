import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Outgoing webhooks (src/webhooks/): the endpoints an app registered, and every message
 * made for one of them.
 *
 * - `webhook_endpoints.cursor_seq` is how far into the activity log (migration 015) the
 *   endpoint has been read. It advances in the transaction that writes the messages made
 *   from those rows and adds their jobs, so a crash at any point either leaves the rows to
 *   be read again or leaves messages that their jobs will send: at least once, none lost.
 * - Secrets are sealed (src/crypto/secret-box.ts); during a rotation's grace period the
 *   previous one is kept, sealed too, until `previous_secret_until`.
 * - `webhook_messages.body` is the exact JSON that is signed and sent; a replay sends the
 *   same bytes under the same `webhook-id`, so receivers that dedupe on it stay correct.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await sql`create table webhook_endpoints (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    url text not null,
    description text not null,
    events text,
    enabled integer not null,
    batch_size integer not null,
    secret text not null,
    previous_secret text,
    previous_secret_until ${sql.raw(time)},
    cursor_seq ${sql.raw(time)} not null,
    failing_since ${sql.raw(time)},
    disabled_reason text,
    disabled_at ${sql.raw(time)},
    created_at ${sql.raw(time)} not null,
    updated_at ${sql.raw(time)} not null
  )`.execute(db);
  await db.schema.createIndex('webhook_endpoints_app').on('webhook_endpoints').columns(['app_id', 'created_at', 'id']).execute();
  await sql`create table webhook_messages (
    id text primary key,
    endpoint_id text not null references webhook_endpoints(id) on delete cascade,
    app_id text not null,
    type text not null,
    body text not null,
    events integer not null,
    first_seq ${sql.raw(time)},
    last_seq ${sql.raw(time)},
    event_at ${sql.raw(time)} not null,
    created_at ${sql.raw(time)} not null,
    status text not null,
    attempts integer not null,
    round integer not null,
    replays integer not null,
    next_attempt_at ${sql.raw(time)},
    last_attempt_at ${sql.raw(time)},
    last_status integer,
    last_duration_ms integer,
    last_error text,
    delivered_at ${sql.raw(time)}
  )`.execute(db);
  // The delivery log, newest first, and a replay of a time range.
  await db.schema.createIndex('webhook_messages_endpoint_created').on('webhook_messages').columns(['endpoint_id', 'created_at', 'id']).execute();
  // Reconcile: pending messages whose attempt was due long ago.
  await db.schema.createIndex('webhook_messages_pending').on('webhook_messages').columns(['status', 'next_attempt_at']).execute();
  // Pruning the log past its retention.
  await db.schema.createIndex('webhook_messages_created').on('webhook_messages').column('created_at').execute();
  await db.schema.createIndex('webhook_messages_endpoint_event_at').on('webhook_messages').columns(['endpoint_id', 'event_at']).execute();
}
