import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import type { Job, JobSpec } from '../queue/queue.ts';
import { audienceFilter, prepare, type CampaignDefinition } from './campaign-definition.ts';
import { ApiError } from '../errors/api-error.ts';
import type { CampaignAudience } from './campaign-input.ts';
import { nextRuns } from './timing/index.ts';
import { planWaves, storeWaves } from './waves.ts';

export const CAMPAIGN_RUN_JOB = 'campaign-run';

/**
 * The job of run `run` of a recurring campaign, due at its instant; keyed so that adding it
 * twice queues it once. The instant is in the key: a key stays taken after its job ran, and
 * a resume asks for the same run again at a later instant.
 */
export function campaignRunJobSpec(campaignId: string, run: number, runAt: number): JobSpec {
  return { name: CAMPAIGN_RUN_JOB, data: { campaignId, run, runAt }, key: `campaign-run:${campaignId}:${run}:${runAt}`, runAt };
}

/**
 * One run of a recurring campaign: its audience as it is now, planned into waves like a
 * launch (each run is its own notifications, with its own counts), stored with the job of
 * the next run in one transaction. A run already stored (a retry after a crash) or a
 * campaign no longer scheduled (paused, cancelled) does nothing.
 */
export async function runCampaign(ctx: Context, job: Job): Promise<void> {
  const { campaignId, run, runAt } = job.data as { campaignId: string; run: number; runAt: number };
  const db = ctx.store.db;
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
  if (!row || (row.status !== 'scheduled' && row.status !== 'running') || row.runs >= run) return;
  const prepared = prepare(JSON.parse(row.definition) as CampaignDefinition);
  const schedule = prepared.schedule;
  if (schedule?.kind !== 'recurring') return;
  const filter = await audienceOrPause(ctx, row.id, row.app_id, prepared.definition.audience);
  if (filter === null) return;
  const waves = await planWaves(ctx, row.app_id, prepared, filter, { launchAt: Math.max(runAt, ctx.now()), runAt });
  const next = nextRuns(schedule.cron, schedule.timezone, runAt, 1, schedule.until)[0];
  await db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('campaigns')
      .set({ runs: run, status: 'running', next_run_at: next ?? null, updated_at: ctx.now() })
      .where('id', '=', campaignId)
      .where('runs', '<', run)
      .where('status', 'in', ['scheduled', 'running'])
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return;
    await storeWaves(ctx, tx, campaignId, row.app_id, prepared, filter, run, waves);
    if (next !== undefined) await ctx.queue.add([campaignRunJobSpec(campaignId, run + 1, next)], tx);
  });
}

/** The recurring campaigns' run job; a scheduled campaign whose next run is overdue and not stored is its unfinished work. */
export function campaignRunJob(ctx: Context): JobKind {
  return {
    name: CAMPAIGN_RUN_JOB,
    handler: (job) => runCampaign(ctx, job),
    async reconcile(before) {
      const rows = await ctx.store.db
        .selectFrom('campaigns')
        .select(['id', 'runs', 'next_run_at'])
        .where('status', 'in', ['scheduled', 'running'])
        .where('next_run_at', 'is not', null)
        .where('next_run_at', '<', before)
        .limit(1000)
        .execute();
      return rows.map((r) => campaignRunJobSpec(r.id, Number(r.runs) + 1, r.next_run_at!));
    },
  };
}

/**
 * The campaign's audience now, or null when it can no longer be had (a segment it names was
 * deleted, or changed into a loop): the campaign is then paused, with the reason logged, so
 * that it shows as paused rather than retrying the job for ever; fixing the segment and
 * resuming goes on.
 */
export async function audienceOrPause(ctx: Context, campaignId: string, appId: string, audience: CampaignAudience) {
  try {
    return await audienceFilter(ctx, appId, audience);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    await ctx.store.db.updateTable('campaigns').set({ status: 'paused', updated_at: ctx.now() }).where('id', '=', campaignId).where('status', 'in', ['planning', 'scheduled', 'running']).execute();
    ctx.logger.error({ module: 'campaigns', campaignId, code: err.code, detail: err.message }, 'campaign paused: its audience cannot be had');
    return null;
  }
}
