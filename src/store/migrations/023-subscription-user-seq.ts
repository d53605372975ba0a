import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * `subscriptions.user_seq`: the seq of the subscription's user (the `users` row of its
 * `(app_id, user_id)`), null when it has no user id or that user has no row. The audience
 * joins subscriptions to users on it (src/audience/filter/sql/audience-query.ts), an
 * integer, where the text key cost bench section 7 most of its time on PostgreSQL: sizing
 * "plan = pro" on 1M users hashed every user's external id (1,050 ms of the backend's
 * CPU against 200 ms on the integer).
 *
 * The column is derived, so the database keeps it, whoever writes: triggers fill it when a
 * subscription is written (its user looked up by `users_app_external`), when a user is
 * made (the subscriptions that named it first, by `subscriptions_app_user`) and clear it
 * when a user is deleted. Every write path, the bulk seeds and `migrate --to` (which
 * copies subscriptions before users) then agree with the text key without knowing of it.
 * `subscriptions_app_user_seq` serves the join in either direction and the clearing.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  await db.schema.alterTable('subscriptions').addColumn('user_seq', 'bigint').execute();
  await backfillUserSeq(db);
  // With the channel, a size (count-audience.ts) reads the subscriptions from this index alone.
  await db.schema.createIndex('subscriptions_app_user_seq').on('subscriptions').columns(['app_id', 'user_seq', 'channel']).execute();
  if (dialect === 'postgres') await postgresTriggers(db);
  else await sqliteTriggers(db);
}

/** Sets every subscription's user_seq from its user, as the triggers would have. */
export async function backfillUserSeq(db: Kysely<any>): Promise<void> {
  await sql`update subscriptions set user_seq = (select u.seq from users u where u.app_id = subscriptions.app_id and u.external_id = subscriptions.user_id)
    where user_id is not null or user_seq is not null`.execute(db);
}

async function postgresTriggers(db: Kysely<any>): Promise<void> {
  // BEFORE: the row is written once, with its user_seq (the value given, if any, is replaced).
  await sql`create function subscriptions_user_seq() returns trigger language plpgsql as $$
    begin
      new.user_seq := (select u.seq from users u where u.app_id = new.app_id and u.external_id = new.user_id);
      return new;
    end $$`.execute(db);
  await sql`create trigger subscriptions_user_seq before insert or update of app_id, user_id, user_seq on subscriptions
    for each row execute function subscriptions_user_seq()`.execute(db);
  await sql`create function users_attach_subscriptions() returns trigger language plpgsql as $$
    begin
      update subscriptions set user_seq = new.seq where app_id = new.app_id and user_id = new.external_id;
      return null;
    end $$`.execute(db);
  await sql`create trigger users_attach_subscriptions after insert on users
    for each row execute function users_attach_subscriptions()`.execute(db);
  await sql`create function users_detach_subscriptions() returns trigger language plpgsql as $$
    begin
      update subscriptions set user_seq = null where app_id = old.app_id and user_seq = old.seq;
      return null;
    end $$`.execute(db);
  await sql`create trigger users_detach_subscriptions after delete on users
    for each row execute function users_detach_subscriptions()`.execute(db);
}

async function sqliteTriggers(db: Kysely<any>): Promise<void> {
  // SQLite's triggers cannot change NEW: the row just written is updated by its seq. That
  // update sets only user_seq, which the trigger on user_id does not watch (no recursion).
  const own = sql`update subscriptions set user_seq = (select u.seq from users u where u.app_id = new.app_id and u.external_id = new.user_id) where seq = new.seq`;
  await sql`create trigger subscriptions_user_seq_insert after insert on subscriptions
    when new.user_id is not null or new.user_seq is not null begin ${own}; end`.execute(db);
  await sql`create trigger subscriptions_user_seq_update after update of app_id, user_id on subscriptions begin ${own}; end`.execute(db);
  await sql`create trigger users_attach_subscriptions after insert on users
    begin update subscriptions set user_seq = new.seq where app_id = new.app_id and user_id = new.external_id; end`.execute(db);
  await sql`create trigger users_detach_subscriptions after delete on users
    begin update subscriptions set user_seq = null where app_id = old.app_id and user_seq = old.seq; end`.execute(db);
}
