import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The sweep of one-time codes past their life (src/mfa/otp-sweep.ts) finds the pending ones
 * by expiry: a partial index holds only the pending codes, so the sweep's look-up stays a
 * short range however many closed codes the table keeps.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await sql`create index mfa_otps_pending_expiry on mfa_otps (expires_at) where status = 'pending'`.execute(db);
}
