import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Push sign-in approval (src/mfa/, docs/mfa.md): enrollment tokens, devices, challenges,
 * the per-user defence state, device nonces, settings and the audit log.
 *
 * - `mfa_enrollments_token` (unique) finds a token by its hash;
 * - `mfa_devices_user` lists a user's devices;
 * - `mfa_challenges_user` finds a user's pending challenge and counts recent pushes;
 * - `mfa_nonces` has (device, nonce) as its key: a second insert of a nonce is a replay;
 * - `mfa_audit_user` reads a user's audit, newest first.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  await sql`create table mfa_enrollments (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    user_id text not null,
    token_hash text not null,
    expires_at ${time} not null,
    used_at ${time},
    created_at ${time} not null
  )`.execute(db);
  await db.schema.createIndex('mfa_enrollments_token').on('mfa_enrollments').column('token_hash').unique().execute();
  await sql`create table mfa_devices (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    user_id text not null,
    name text not null,
    public_key text not null,
    subscription_id text not null,
    created_at ${time} not null,
    last_used_at ${time},
    revoked_at ${time}
  )`.execute(db);
  await db.schema.createIndex('mfa_devices_user').on('mfa_devices').columns(['app_id', 'user_id', 'created_at']).execute();
  await sql`create table mfa_challenges (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    user_id text not null,
    status text not null,
    reason text,
    code_hash text not null,
    context text not null,
    notification_id text,
    created_at ${time} not null,
    expires_at ${time} not null,
    answered_at ${time},
    device_id text
  )`.execute(db);
  await db.schema.createIndex('mfa_challenges_user').on('mfa_challenges').columns(['app_id', 'user_id', 'created_at']).execute();
  await sql`create table mfa_user_states (
    app_id text not null references apps(id) on delete cascade,
    user_id text not null,
    failures integer not null,
    last_failure_at ${time},
    last_success_at ${time},
    locked_reason text,
    locked_at ${time},
    updated_at ${time} not null,
    primary key (app_id, user_id)
  )`.execute(db);
  await sql`create table mfa_nonces (
    device_id text not null,
    nonce text not null,
    expires_at ${time} not null,
    primary key (device_id, nonce)
  )`.execute(db);
  await db.schema.createIndex('mfa_nonces_expiry').on('mfa_nonces').column('expires_at').execute();
  await sql`create table mfa_settings (
    app_id text primary key references apps(id) on delete cascade,
    settings text not null,
    updated_at ${time} not null
  )`.execute(db);
  await sql`create table mfa_audit (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    user_id text not null,
    at ${time} not null,
    type text not null,
    challenge_id text,
    device_id text,
    ip text,
    user_agent text,
    tags text not null,
    details text not null
  )`.execute(db);
  await db.schema.createIndex('mfa_audit_user').on('mfa_audit').columns(['app_id', 'user_id', 'at']).execute();
}
