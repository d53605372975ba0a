import type { Selectable, Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { CampaignsTable, CampaignStatus, Database } from '../store/schema.ts';
import { audienceFilter, prepare, type CampaignDefinition, type PreparedCampaign } from './campaign-definition.ts';
import { campaignRunJobSpec } from './campaign-run-job.ts';
import { decideJobSpec, decisionDueAt } from './decide-job.ts';
import { nextRuns } from './timing/index.ts';
import { planJobSpec, startPlanning } from './intelligent-plan.ts';
import { planWaves, storeWaves, type Wave } from './waves.ts';

type CampaignRow = Selectable<CampaignsTable>;

/** What a launch cannot do yet; refused at launch with its reason rather than sent some other way. */
export function unsupported(prepared: PreparedCampaign): string | null {
  if (prepared.variants?.winner && prepared.schedule?.kind === 'recurring') return 'winner mode of A/B tests is for one-off campaigns: a recurring one cannot wait for a decision between runs';
  return null;
}

function refuseStatus(row: CampaignRow, action: string, allowed: CampaignStatus[]): never {
  throw new ApiError('campaign_status', `Campaign ${row.id} is ${row.status}: it can be ${action} only when ${allowed.join(' or ')}`, { campaignStatus: row.status });
}

/**
 * Launches a draft. A one-off campaign is planned at once: its waves (recipients grouped by
 * the instant their clock gives) are stored as notifications with their fan-out jobs, in
 * one transaction with the status. A recurring one gets the job of its first run. An
 * intelligent one (a plan per user) is `planning` until its planning job has stored its
 * waves (plan-job.ts).
 */
export async function launchCampaign(ctx: Context, row: CampaignRow): Promise<CampaignRow> {
  if (row.status !== 'draft') refuseStatus(row, 'launched', ['draft']);
  const now = ctx.now();
  const prepared = prepare(JSON.parse(row.definition) as CampaignDefinition, now);
  const missing = unsupported(prepared);
  if (missing) throw new ApiError('campaign_option_unavailable', missing);
  const filter = await audienceFilter(ctx, row.app_id, prepared.definition.audience);
  const schedule = prepared.schedule;
  if (schedule?.kind === 'recurring') {
    const first = nextRuns(schedule.cron, schedule.timezone, now, 1, schedule.until)[0];
    if (first === undefined) throw new ApiError('invalid_schedule', 'The schedule has no run left', { pointer: '#/schedule/recurring' });
    return transition(ctx, row, 'draft', { status: 'scheduled', launched_at: now, next_run_at: first }, async (tx) => {
      await ctx.queue.add([campaignRunJobSpec(row.id, 1, first)], tx);
    });
  }
  // Each user at their best hour: planned user by user by a job (plan-job.ts), the campaign `planning` meanwhile.
  if (schedule?.kind === 'intelligent') return transition(ctx, row, 'draft', { status: 'planning', launched_at: now, runs: 1 }, (tx) => startPlanning(ctx, tx, row.id, 1, 'launch', now));
  const planned = await planWaves(ctx, row.app_id, prepared, filter, { launchAt: now });
  const winner = prepared.variants?.winner ?? null;
  const waves = winner ? planned.map((w) => ({ ...w, phase: 'test' as const })) : planned;
  const status: CampaignStatus = waves.length === 0 ? 'completed' : waves.every((w) => !w.skip && w.sendAt > now) ? 'scheduled' : 'running';
  return transition(ctx, row, 'draft', { status, launched_at: now, runs: 1, ...(status === 'completed' ? { finished_at: now } : {}) }, async (tx) => {
    await storeWaves(ctx, tx, row.id, row.app_id, prepared, filter, 1, waves);
    // The decision waits for the test's last wave to have had `wait` to gather clicks.
    if (winner) await ctx.queue.add([decideJobSpec(row.id, await decisionDueAt(tx, row.id, now, winner.waitMs))], tx);
  });
}

/**
 * Moves the campaign from `from` to the values given, doing `also` in the same
 * transaction; a concurrent change of status (another launch, a cancel) makes it refuse.
 */
async function transition(ctx: Context, row: CampaignRow, from: CampaignStatus, set: Partial<CampaignRow>, also: (tx: Transaction<Database>) => Promise<void>): Promise<CampaignRow> {
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    // The status and the definition as read: a PATCH that landed meanwhile makes the launch read it again.
    const res = await tx.updateTable('campaigns').set({ ...set, updated_at: now }).where('id', '=', row.id).where('status', '=', from).where('updated_at', '=', row.updated_at).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ApiError('campaign_status', `Campaign ${row.id} changed status meanwhile; read it again`);
    await also(tx);
  });
  return { ...row, ...set, updated_at: now } as CampaignRow;
}

/** Waves not yet begun (nothing cut into batches) are cancelled and marked with why; returns how many. */
async function holdWaves(tx: Transaction<Database>, campaignId: string, mark: 'pausedAt' | 'cancelledAt', at: number): Promise<number> {
  // Due later (scheduled) or due now and not yet cut (queued): the fan-out re-checks the status in each page's transaction.
  const rows = await tx.selectFrom('notifications').select(['id', 'wave']).where('campaign_id', '=', campaignId).where('campaign_run', '>', 0).where('status', 'in', ['scheduled', 'queued']).where('fanout_cursor', '=', 0).execute();
  for (const r of rows) {
    const wave = { ...(JSON.parse(r.wave ?? '{}') as Wave), [mark]: at };
    await tx.updateTable('notifications').set({ status: 'cancelled', completed_at: at, wave: JSON.stringify(wave) }).where('id', '=', r.id).where('status', 'in', ['scheduled', 'queued']).where('fanout_cursor', '=', 0).execute();
  }
  return rows.length;
}

/** Holds a launched campaign: its waves not yet begun wait (a recurring one runs no more, a plan stops at its next page) until resumed. */
export async function pauseCampaign(ctx: Context, row: CampaignRow): Promise<CampaignRow> {
  const current = await refreshStatus(ctx, row);
  if (current.status !== 'planning' && current.status !== 'scheduled' && current.status !== 'running') refuseStatus(current, 'paused', ['planning', 'scheduled', 'running']);
  const now = ctx.now();
  return transition(ctx, current, current.status, { status: 'paused' }, async (tx) => void (await holdWaves(tx, current.id, 'pausedAt', now)));
}

/**
 * Goes on with a paused campaign: the waves the pause held are stored again as new
 * notifications, due when they were (or now, if that has passed); a recurring campaign
 * gets the job of its next run from now.
 */
export async function resumeCampaign(ctx: Context, row: CampaignRow): Promise<CampaignRow> {
  if (row.status !== 'paused') refuseStatus(row, 'resumed', ['paused']);
  const now = ctx.now();
  const prepared = prepare(JSON.parse(row.definition) as CampaignDefinition);
  const schedule = prepared.schedule;
  const held = await ctx.store.db.selectFrom('notifications').select(['id', 'wave', 'audience', 'campaign_run']).where('campaign_id', '=', row.id).where('status', '=', 'cancelled').execute();
  const again = held.map((h) => ({ ...h, parsed: JSON.parse(h.wave ?? '{}') as Wave & { pausedAt?: number; resumedAs?: string } })).filter((h) => h.parsed.pausedAt !== undefined && h.parsed.resumedAs === undefined);
  const winner = prepared.variants?.winner;
  // A recurring campaign goes on from its next run after now; the waves of the current run the pause held go as well.
  const next = schedule?.kind === 'recurring' ? (nextRuns(schedule.cron, schedule.timezone, now, 1, schedule.until)[0] ?? null) : undefined;
  // Paused while planning (its audience could not be had): the plan goes on from its cursor.
  const unplanned = await ctx.store.db.selectFrom('campaign_plannings').select(['run', 'phase']).where('campaign_id', '=', row.id).where('finished_at', 'is', null).executeTakeFirst();
  const status: CampaignStatus = unplanned ? 'planning' : next === undefined || again.length > 0 ? 'running' : next === null ? 'completed' : 'scheduled';
  const set: Partial<CampaignRow> = { status, ...(next !== undefined ? { next_run_at: next } : {}), ...(status === 'completed' ? { finished_at: now } : {}) };
  return transition(ctx, row, 'paused', set, async (tx) => {
    if (unplanned) await ctx.queue.add([{ ...planJobSpec(row.id, Number(unplanned.run), unplanned.phase), key: `campaign-plan:${row.id}:${unplanned.run}:${unplanned.phase}:${now}` }], tx);
    if (next) await ctx.queue.add([campaignRunJobSpec(row.id, row.runs + 1, next)], tx);
    for (const h of again) {
      const { pausedAt: _p, ...wave } = h.parsed;
      const [id] = await storeWaves(ctx, tx, row.id, row.app_id, prepared, JSON.parse(h.audience!), h.campaign_run ?? 1, [wave], { audienceIsWave: true });
      await tx.updateTable('notifications').set({ wave: JSON.stringify({ ...h.parsed, resumedAs: id }) }).where('id', '=', h.id).execute();
    }
    // A decision that came due while paused did nothing: it is due again after the test's
    // last wave (the resumed ones among them), as reconcile reckons it too.
    if (winner && row.decision === null) await ctx.queue.add([decideJobSpec(row.id, await decisionDueAt(tx, row.id, row.launched_at ?? now, winner.waitMs))], tx);
  });
}

/** Stops a campaign for good: waves not yet begun are cancelled; what was already cut into batches is sent and counted. */
export async function cancelCampaign(ctx: Context, row: CampaignRow): Promise<CampaignRow> {
  const current = await refreshStatus(ctx, row);
  if (current.status === 'completed' || current.status === 'cancelled') refuseStatus(current, 'cancelled', ['draft', 'scheduled', 'running', 'paused']);
  const now = ctx.now();
  return transition(ctx, current, current.status, { status: 'cancelled', finished_at: now, next_run_at: null }, async (tx) => void (await holdWaves(tx, current.id, 'cancelledAt', now)));
}

/**
 * The status as the campaign's waves have it now: scheduled until a wave begins, running
 * while any is unfinished, completed when the last of a one-off campaign has finished.
 */
export async function refreshStatus(ctx: Context, row: CampaignRow): Promise<CampaignRow> {
  if (row.status !== 'scheduled' && row.status !== 'running') return row;
  const waves = await ctx.store.db.selectFrom('notifications').select(['status', 'completed_at']).where('campaign_id', '=', row.id).where('campaign_run', '>', 0).execute();
  if (waves.length === 0) return row;
  const begun = waves.some((w) => w.status !== 'scheduled');
  // A recurring campaign is done once it has no next run (its `until` passed) and its last run's waves are.
  const recurring = (JSON.parse(row.definition) as CampaignDefinition).schedule !== undefined && 'recurring' in (JSON.parse(row.definition) as CampaignDefinition).schedule! && row.next_run_at !== null;
  const finished = waves.every((w) => w.status === 'completed' || w.status === 'cancelled');
  let next: Partial<CampaignRow> | null = null;
  const awaitingDecision = (JSON.parse(row.definition) as CampaignDefinition).variants?.winner !== undefined && row.decision === null;
  if (!recurring && finished && !awaitingDecision) next = { status: 'completed', finished_at: Math.max(...waves.map((w) => w.completed_at ?? 0)) };
  else if (row.status === 'scheduled' && begun) next = { status: 'running' };
  if (!next) return row;
  await ctx.store.db.transaction().execute(async (tx) => {
    const res = await tx.updateTable('campaigns').set(next).where('id', '=', row.id).where('status', '=', row.status).executeTakeFirst();
    // Done: an intelligent plan (a row per user) and a throttle's bucket have served.
    if (next.status === 'completed' && Number(res.numUpdatedRows) === 1) {
      await tx.deleteFrom('campaign_user_plans').where('campaign_id', '=', row.id).execute();
      await tx.deleteFrom('campaign_throttles').where('campaign_id', '=', row.id).execute();
    }
  });
  return { ...row, ...next };
}
