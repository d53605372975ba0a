import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * A campaign's throttle (`throttle: {"perMinute": N}`, src/campaigns/throttle/): one row
 * per throttled campaign that every worker updates in turn, in a transaction holding the
 * row, so all of them take from one bucket, on the injected clock of the store's users.
 *
 * - `tokens` (fractional) at `at`; `waiting`: the sends told to come back later, an
 *   estimate that spaces the batches waiting for their turn (throttle-bucket.ts).
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  const float = dialect === 'postgres' ? 'double precision' : 'real';
  await sql`create table campaign_throttles (
    campaign_id text primary key references campaigns(id) on delete cascade,
    tokens ${sql.raw(float)} not null,
    at ${sql.raw(time)} not null,
    waiting ${sql.raw(time)} not null
  )`.execute(db);
}
