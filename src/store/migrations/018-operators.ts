import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Operators: the people who sign in to the dashboard (src/operators/, docs/dashboard.md).
 *
 * - `operators.password_hash` is a scrypt hash with its parameters (src/operators/password.ts);
 *   `totp_secret` and `totp_pending` are sealed with the master key, never in clear.
 *   `admin` = 1 is an installation administrator: what the admin key may do.
 * - `operator_sessions` stores only the SHA-256 of a session token; the token itself lives in
 *   the operator's cookie. Idle and absolute expiry are checked against `last_seen_at` and
 *   `expires_at`.
 * - `operator_memberships` gives an operator a role (owner, editor, viewer) on one app.
 * - `operator_setup_tokens` holds the SHA-256 of the one-time links that create the first
 *   owner; a link is used once and expires.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  await sql`create table operators (
    id text primary key,
    email text not null unique,
    password_hash text not null,
    admin integer not null default 0,
    totp_secret text,
    totp_pending text,
    totp_last_step ${time},
    created_at ${time} not null
  )`.execute(db);
  await sql`create table operator_sessions (
    token_hash text primary key,
    operator_id text not null references operators(id) on delete cascade,
    created_at ${time} not null,
    last_seen_at ${time} not null,
    expires_at ${time} not null
  )`.execute(db);
  await db.schema.createIndex('operator_sessions_operator').on('operator_sessions').column('operator_id').execute();
  await sql`create table operator_memberships (
    operator_id text not null references operators(id) on delete cascade,
    app_id text not null references apps(id) on delete cascade,
    role text not null,
    created_at ${time} not null,
    primary key (operator_id, app_id)
  )`.execute(db);
  await db.schema.createIndex('operator_memberships_app').on('operator_memberships').column('app_id').execute();
  await sql`create table operator_setup_tokens (
    token_hash text primary key,
    created_at ${time} not null,
    expires_at ${time} not null
  )`.execute(db);
}
