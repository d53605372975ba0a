import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import type { Job } from '../queue/queue.ts';
import type { PlanPhase } from '../store/schema-campaign-planning.ts';
import type { CampaignStatus } from '../store/schema.ts';
import { prepare, type CampaignDefinition } from './campaign-definition.ts';
import { audienceOrPause } from './campaign-run-job.ts';
import { decideJobSpec, decisionDueAt } from './decide-job.ts';
import { PLAN_JOB, planJobSpec, planningOf, planPages, plannedWaves } from './intelligent-plan.ts';
import { storeWaves, type Wave } from './waves.ts';

/**
 * Plans an intelligent campaign out of the launch request (a million users take tens of
 * seconds): the campaign is `planning`, with the plan's progress in `GET .../campaigns/{id}`,
 * until the plan's waves are stored, in one transaction with the campaign's new status (and,
 * in winner mode, the decision's job). A plan walked before (a retry, or a take-over after
 * the worker died) goes on from its cursor. A campaign cancelled or paused meanwhile stops
 * its plan at the next page.
 *
 * Exported with `maxPages` for the test of a worker that stops between pages.
 */
export async function runPlan(ctx: Context, job: Pick<Job, 'data'>, opts: { maxPages?: number } = {}): Promise<void> {
  const { campaignId, run, phase } = job.data as { campaignId: string; run: number; phase: PlanPhase };
  const db = ctx.store.db;
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
  if (!row || row.status !== 'planning') return;
  const p = await planningOf(db, campaignId, run, phase);
  if (!p || p.finished_at !== null) return;
  const prepared = prepare(JSON.parse(row.definition) as CampaignDefinition);
  const filter = await audienceOrPause(ctx, campaignId, row.app_id, prepared.definition.audience);
  if (filter === null) return;
  if (!(await planPages(ctx, p, row.app_id, prepared, filter, opts))) return;
  const winner = prepared.variants?.winner ?? null;
  const decided = row.decision === null ? null : (JSON.parse(row.decision) as { variant: string | null });
  await db.transaction().execute(async (tx) => {
    const now = ctx.now();
    const done = await tx.selectFrom('campaign_plannings').select('after_seq').where('campaign_id', '=', campaignId).where('run', '=', run).where('phase', '=', phase).where('finished_at', 'is', null).executeTakeFirst();
    if (!done) return;
    const planned = await plannedWaves(tx, { ...p, after_seq: Number(done.after_seq) });
    const waves: Wave[] = planned.map((w) => (phase === 'winner' ? { ...w, phase: 'winner', variant: decided!.variant! } : winner ? { ...w, phase: 'test' } : w));
    // After the decision the test has gone: running until the rest's waves are. At launch, as a launch has it.
    // An empty audience completes at once, as a launch's does (winner mode then has nothing to decide).
    const status: CampaignStatus = phase === 'winner' ? 'running' : waves.length === 0 ? 'completed' : waves.every((w) => w.sendAt > now) ? 'scheduled' : 'running';
    const res = await tx
      .updateTable('campaigns')
      .set({ status, updated_at: now, ...(status === 'completed' ? { finished_at: now } : {}) })
      .where('id', '=', campaignId)
      .where('status', '=', 'planning')
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return;
    await tx.updateTable('campaign_plannings').set({ finished_at: now }).where('campaign_id', '=', campaignId).where('run', '=', run).where('phase', '=', phase).execute();
    await storeWaves(ctx, tx, campaignId, row.app_id, prepared, filter, run, waves);
    // The decision waits for the test's last wave to have had `wait` to gather clicks.
    if (phase === 'launch' && winner && status !== 'completed') await ctx.queue.add([decideJobSpec(campaignId, await decisionDueAt(tx, campaignId, row.launched_at ?? now, winner.waitMs))], tx);
  });
  ctx.logger.info({ module: 'campaigns', campaignId, run, phase }, 'campaign planned');
}

/** The planning job; a plan not finished of a campaign still `planning` is its unfinished work. */
export function planJob(ctx: Context): JobKind {
  return {
    name: PLAN_JOB,
    handler: (job) => runPlan(ctx, job),
    async reconcile() {
      const rows = await ctx.store.db
        .selectFrom('campaign_plannings as p')
        .innerJoin('campaigns as c', 'c.id', 'p.campaign_id')
        .select(['p.campaign_id', 'p.run', 'p.phase'])
        .where('c.status', '=', 'planning')
        .where('p.finished_at', 'is', null)
        .limit(1000)
        .execute();
      return rows.map((r) => planJobSpec(r.campaign_id, Number(r.run), r.phase));
    },
  };
}
