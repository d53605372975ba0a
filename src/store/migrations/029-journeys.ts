import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Journeys (src/journeys/, docs/journeys.md): the journey, every version it had, and one row
 * per user's run with its position and next due time. The store, not the queue, is the
 * record of a run: its timer jobs can be lost and found again from `due_at`.
 *
 * - `journeys_trigger` finds the active journeys an event starts;
 * - `journey_runs_user` finds a user's runs when an event may exit them or end a waitFor;
 * - `journey_runs_due` finds runs whose timer is overdue (the reconcile of lost jobs);
 * - `journey_runs_trigger` (unique) makes one event start one run, however often it is handled;
 * - `journey_runs_one_active` (unique, partial) keeps a user to one run of a journey at a time.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  const id = dialect === 'postgres' ? 'bigserial primary key' : 'integer primary key autoincrement';
  await sql`create table journeys (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    name text not null,
    status text not null,
    version integer not null,
    trigger_event text,
    trigger_attribute text,
    created_at ${sql.raw(time)} not null,
    updated_at ${sql.raw(time)} not null
  )`.execute(db);
  await db.schema.createIndex('journeys_app').on('journeys').columns(['app_id', 'created_at']).execute();
  await db.schema.createIndex('journeys_trigger').on('journeys').columns(['app_id', 'trigger_event', 'status']).execute();
  await sql`create table journey_versions (
    journey_id text not null references journeys(id) on delete cascade,
    version integer not null,
    definition text not null,
    created_at ${sql.raw(time)} not null,
    primary key (journey_id, version)
  )`.execute(db);
  await sql`create table journey_runs (
    id ${sql.raw(id)},
    app_id text not null,
    journey_id text not null references journeys(id) on delete cascade,
    version integer not null,
    user_seq ${sql.raw(time)} not null,
    external_id text not null,
    state text not null,
    step text,
    token integer not null,
    due_at ${sql.raw(time)},
    waiting_for text,
    trigger text not null,
    trigger_key text not null,
    started_at ${sql.raw(time)} not null,
    ended_at ${sql.raw(time)},
    end_reason text,
    timeline text not null,
    updated_at ${sql.raw(time)} not null
  )`.execute(db);
  await db.schema.createIndex('journey_runs_user').on('journey_runs').columns(['app_id', 'user_seq', 'state']).execute();
  await db.schema.createIndex('journey_runs_due').on('journey_runs').columns(['state', 'due_at']).execute();
  await db.schema.createIndex('journey_runs_journey').on('journey_runs').columns(['journey_id', 'user_seq', 'started_at']).execute();
  // One run at a time per user and journey, whatever races two workers run.
  await sql`create unique index journey_runs_one_active on journey_runs (journey_id, user_seq) where state = 'active'`.execute(db);
  await db.schema.createIndex('journey_runs_trigger').on('journey_runs').columns(['journey_id', 'user_seq', 'trigger_key']).unique().execute();
}
