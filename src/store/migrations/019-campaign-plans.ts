import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Campaign plans. A campaign's throttle (`throttle: {"perMinute": N}`, src/campaigns/throttle/): one row
 * per throttled campaign that every worker updates in turn, in a transaction holding the
 * row, so all of them take from one bucket, on the injected clock of the store's users.
 *
 * - `tokens` (fractional) at `at`; `waiting`: the sends told to come back later, an
 *   estimate that spaces the batches waiting for their turn (throttle-bucket.ts).
 *
 * And the plan of an intelligent campaign (each user at their best hour,
 * src/campaigns/intelligent-plan.ts): one row per user of the run's audience, made at
 * launch, with the instant the user's wave goes (`send_at`: the fan-out of that wave takes
 * the users whose row has it) and the timing their send record keeps (JSON: the hour
 * chosen, from whose engagement). `events (subscription_id, at)` lets the launch read a
 * page of users' 90 days of clicks and displays from their subscriptions, not the app's
 * whole history per page.
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
  await sql`create table campaign_user_plans (
    campaign_id text not null references campaigns(id) on delete cascade,
    run integer not null,
    user_seq ${sql.raw(time)} not null,
    send_at ${sql.raw(time)} not null,
    timing text not null,
    primary key (campaign_id, run, user_seq)
  )`.execute(db);
  await db.schema.createIndex('campaign_user_plans_wave').on('campaign_user_plans').columns(['campaign_id', 'run', 'send_at', 'user_seq']).execute();
  await db.schema.createIndex('events_subscription_at').on('events').columns(['subscription_id', 'at']).execute();
}
