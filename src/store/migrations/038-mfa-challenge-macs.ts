import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * A challenge's code is now kept as an HMAC under the master key (src/mfa/secrets.ts); it was
 * a salted scrypt, `salt.hash`. A challenge still pending across the upgrade (it lives at
 * most 10 minutes) could not be answered: its right code would not match and would count as
 * the user's failure. It is ended as expired instead, as if its time had run out, so the
 * login server asks for a new one and nobody is counted a failure.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await sql`update mfa_challenges set status = 'expired', reason = 'timeout' where status = 'pending' and code_hash like '%.%'`.execute(db);
}
