import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * One-time codes by push (src/mfa/otp*.ts, docs/mfa.md#one-time-codes-by-push).
 *
 * - `mfa_otps` holds each code as an HMAC under the master key, never in clear; `attempts`
 *   counts the verifies spent on it, and every state change is an update conditional on
 *   `status = 'pending'` and `attempts < max_attempts`, so concurrent verifies take turns;
 * - `mfa_otps_user` finds a user's pending code of a purpose and counts recent pushes.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  await sql`create table mfa_otps (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    user_id text not null,
    purpose text not null,
    digits integer not null,
    code_hash text not null,
    status text not null,
    attempts integer not null,
    max_attempts integer not null,
    notification_id text,
    created_at ${time} not null,
    expires_at ${time} not null,
    closed_at ${time}
  )`.execute(db);
  await db.schema.createIndex('mfa_otps_user').on('mfa_otps').columns(['app_id', 'user_id', 'created_at']).execute();
}
