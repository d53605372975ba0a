import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The sweep of one-time codes and challenges past their life (src/mfa/sweep.ts) finds the
 * pending ones by expiry: partial indexes hold only the pending rows, so the sweep's look-up
 * stays a short range however many closed ones the tables keep.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await sql`create index mfa_otps_pending_expiry on mfa_otps (expires_at) where status = 'pending'`.execute(db);
  await sql`create index mfa_challenges_pending_expiry on mfa_challenges (expires_at) where status = 'pending'`.execute(db);
}
