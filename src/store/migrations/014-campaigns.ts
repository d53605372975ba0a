import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Campaigns (src/campaigns/, docs/campaigns.md): a notification to an audience with
 * templated, per-language content, a schedule, caps and variants, launched as one or more
 * notifications of its own (`notifications.campaign_id`): one per wave of recipients who
 * share a send instant (a local time, a quiet-hours release), per run of a recurring one.
 *
 * - `campaigns.definition` is the campaign as validated (JSON); `status` its lifecycle:
 *   draft, scheduled, running, paused, completed, cancelled. `decision` (JSON): an A/B
 *   test's outcome in winner mode, once decided.
 * - `apps.timezone`, `quiet_hours`, `cap_rules`, `globals`: the app's defaults for every
 *   campaign (a user without a zone is on the app's; quiet hours hold marketing sends;
 *   caps count across campaigns; globals are `{{ app.* }}` in templates).
 * - `users.quiet_hours`: a user's own window, replacing the app's.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await sql`create table campaigns (
    id text primary key,
    app_id text not null references apps(id) on delete cascade,
    name text not null,
    status text not null,
    definition text not null,
    created_at ${sql.raw(time)} not null,
    updated_at ${sql.raw(time)} not null,
    launched_at ${sql.raw(time)},
    finished_at ${sql.raw(time)},
    runs integer not null default 0,
    next_run_at ${sql.raw(time)},
    decision text
  )`.execute(db);
  await db.schema.createIndex('campaigns_app_created').on('campaigns').columns(['app_id', 'created_at', 'id']).execute();

  await db.schema.alterTable('notifications').addColumn('campaign_id', 'text').execute();
  await db.schema.alterTable('notifications').addColumn('campaign_run', 'integer').execute();
  // JSON: what the wave's recipients share (their zones, the instant and why).
  await db.schema.alterTable('notifications').addColumn('wave', 'text').execute();
  await db.schema.createIndex('notifications_campaign').on('notifications').columns(['campaign_id', 'campaign_run']).execute();

  for (const column of ['timezone', 'quiet_hours', 'cap_rules', 'globals']) await db.schema.alterTable('apps').addColumn(column, 'text').execute();
  await db.schema.alterTable('users').addColumn('quiet_hours', 'text').execute();
}
