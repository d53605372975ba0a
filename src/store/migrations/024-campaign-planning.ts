import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The planning of an intelligent campaign, done by a job rather than in the launch request
 * (src/campaigns/plan-job.ts): one row per plan of a run, `phase` `launch` (the whole
 * audience at launch) or `winner` (winner mode's rest, after the A/B decision).
 *
 * - `launch_at`: the instant the plan is made from (the launch, or the decision), and
 *   `app_hour` (JSON, the app's most engaged hour then, or null), read once when planning
 *   starts: a plan resumed after a crash gives every user the answer the first attempt
 *   would have.
 * - `after_seq`: the last user (users.seq) planned; each page of plan rows commits with it,
 *   so a restarted worker goes on from there and plans no user twice.
 * - `planned` / `total`: the progress the campaign shows (`GET .../campaigns/{id}`);
 *   `total` is the audience counted when planning started (null, and `app_hour` null,
 *   until the job has read them).
 * - `finished_at`: set in the transaction that stores the plan's waves.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await sql`create table campaign_plannings (
    campaign_id text not null references campaigns(id) on delete cascade,
    run integer not null,
    phase text not null,
    launch_at ${sql.raw(time)} not null,
    app_hour text,
    after_seq ${sql.raw(time)} not null,
    planned ${sql.raw(time)} not null,
    total ${sql.raw(time)},
    started_at ${sql.raw(time)} not null,
    finished_at ${sql.raw(time)},
    primary key (campaign_id, run, phase)
  )`.execute(db);
}
