import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The fallbacks of push sign-in (src/mfa/, docs/mfa.md#fallbacks): a user's TOTP
 * authenticator (RFC 6238) and their recovery codes.
 *
 * - `mfa_totp` has (app, user) as its key: one TOTP authenticator per user; `last_step` is
 *   the time step last accepted, so a code is taken once;
 * - `mfa_recovery_codes_hash` (unique) finds a recovery code by its hash.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  await sql`create table mfa_totp (
    app_id text not null references apps(id) on delete cascade,
    user_id text not null,
    secret text not null,
    confirmed_at ${time},
    last_step ${time},
    created_at ${time} not null,
    primary key (app_id, user_id)
  )`.execute(db);
  await sql`create table mfa_recovery_codes (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    user_id text not null,
    code_hash text not null,
    used_at ${time},
    created_at ${time} not null
  )`.execute(db);
  await db.schema.createIndex('mfa_recovery_codes_hash').on('mfa_recovery_codes').column('code_hash').unique().execute();
  await db.schema.createIndex('mfa_recovery_codes_user').on('mfa_recovery_codes').columns(['app_id', 'user_id']).execute();
}
