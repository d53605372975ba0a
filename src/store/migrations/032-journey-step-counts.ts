import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * The per-step counts of journeys (`GET .../journeys/{id}/stats`, docs/journeys.md#stats).
 *
 * What a run did at a step it has left is in no column of its row (its timeline is capped and
 * would have to be parsed run by run), so each move adds to `journey_step_counts` in its own
 * transaction: entered, sent, skipped, exited by reason, converted. Reading them is one
 * primary-key range of a few rows per step, whatever the number of runs.
 *
 * Where runs are now (`waiting`) and how many are active or ended is read from the runs
 * themselves, by `journey_runs_position`: an index-only count of the version's runs grouped
 * by state, step and end reason, a few milliseconds for 100,000 runs.
 *
 * `journey_runs.sends` counts a run's send steps sent, so a run that ends by an exit event
 * can say whether it converted. Runs started before this migration have no step counts and
 * `sends` 0: their version's counts start from here.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const count = dialect === 'postgres' ? 'bigint' : 'integer';
  await sql`create table journey_step_counts (
    journey_id text not null references journeys(id) on delete cascade,
    version integer not null,
    step text not null,
    outcome text not null,
    shard integer not null,
    n ${sql.raw(count)} not null,
    primary key (journey_id, version, step, outcome, shard)
  )`.execute(db);
  await sql`alter table journey_runs add column sends integer not null default 0`.execute(db);
  await db.schema.createIndex('journey_runs_position').on('journey_runs').columns(['journey_id', 'version', 'state', 'step', 'end_reason']).execute();
}
