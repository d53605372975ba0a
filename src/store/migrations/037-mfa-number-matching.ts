import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Number matching, the opt-in weaker answer mode of push sign-in (docs/mfa.md#number-matching):
 * `mfa_challenges.choices` holds the three numbers the device shows, in the order it shows
 * them (JSON), fixed when the challenge is made so that asking again shows the same three
 * and gives nothing away. Null for a challenge answered by typing the code.
 */
export async function up(db: Kysely<any>, _dialect: Dialect): Promise<void> {
  await sql`alter table mfa_challenges add column choices text`.execute(db);
}
