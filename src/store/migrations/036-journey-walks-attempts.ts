import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Journeys (src/journeys/, docs/journeys.md):
 *
 * - `journey_audience_walks`: an item's event (the price drop's `price_changed`) starts the
 *   runs of its audience a page at a time, one job per page; the walk's row keeps the cursor
 *   (the last user of the audience looked at, in `user_seq` order) and the counts, written
 *   with the job of the next page. A page job killed half way is run again from its cursor
 *   (the runs it started are found again by their trigger key: no user enters twice), and
 *   the journey's stats show each walk's progress. One walk per journey and event
 *   (`trigger_key`), however often the event is handled.
 * - `journey_runs.attempts`: the attempts of the step a run is on that did not go through (a
 *   webhook step's failed calls), reset by every move to another step; a run's timeline keeps
 *   its latest 100 entries only, which is no count. Runs held on a webhook retry now take it
 *   from their timeline.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const big = dialect === 'postgres' ? 'bigint' : 'integer';
  const id = dialect === 'postgres' ? 'bigserial primary key' : 'integer primary key autoincrement';
  await sql`create table journey_audience_walks (
    id ${sql.raw(id)},
    app_id text not null,
    journey_id text not null references journeys(id) on delete cascade,
    version integer not null,
    trigger_key text not null,
    event text not null,
    cursor ${sql.raw(big)} not null,
    seen ${sql.raw(big)} not null,
    entered ${sql.raw(big)} not null,
    state text not null,
    started_at ${sql.raw(big)} not null,
    updated_at ${sql.raw(big)} not null
  )`.execute(db);
  await db.schema.createIndex('journey_audience_walks_trigger').on('journey_audience_walks').columns(['journey_id', 'trigger_key']).unique().execute();
  await db.schema.createIndex('journey_audience_walks_version').on('journey_audience_walks').columns(['journey_id', 'version', 'started_at']).execute();
  await sql`alter table journey_runs add column attempts integer not null default 0`.execute(db);
  const held = await db.selectFrom('journey_runs').select(['id', 'step', 'timeline']).where('state', '=', 'active').where('timeline', 'like', '%webhook retry%').execute();
  for (const r of held as { id: number; step: string | null; timeline: string }[]) {
    const entries = JSON.parse(r.timeline) as { step: string | null; what: string }[];
    const n = entries.filter((e) => e.step === r.step && e.what === 'webhook retry').length;
    if (n > 0) await db.updateTable('journey_runs').set({ attempts: n }).where('id', '=', r.id).execute();
  }
}
