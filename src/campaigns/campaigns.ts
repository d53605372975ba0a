import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import { ApiError } from '../errors/api-error.ts';
import type { CampaignsTable, CampaignStatus, Database } from '../store/schema.ts';
import type { PlanPhase } from '../store/schema-campaign-planning.ts';
import { checkCampaign, type CampaignDefinition } from './campaign-definition.ts';
import type { CampaignInput, CampaignPatch } from './campaign-input.ts';
import { decodeCampaignCursor, encodeCampaignCursor } from './campaign-cursor.ts';
import { campaignCounts, type CampaignCounts } from './campaign-stats.ts';
import { refreshStatus } from './lifecycle.ts';

export interface CampaignView extends CampaignDefinition {
  id: string;
  status: CampaignStatus;
  createdAt: string;
  updatedAt: string;
  launchedAt: string | null;
  finishedAt: string | null;
  /** Runs so far: 1 once launched; each run of a recurring campaign adds one. */
  runs: number;
  /** A recurring campaign's next run. */
  nextRunAt: string | null;
  /** Winner mode: the A/B test's decision once made (the test's figures, the p-value, the variant sent to the rest). */
  decision: unknown;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function campaignView(row: Pick<CampaignsTable, 'id' | 'status' | 'definition' | 'created_at' | 'updated_at' | 'launched_at' | 'finished_at' | 'next_run_at' | 'decision'> & { runs: number }): CampaignView {
  return {
    id: row.id,
    ...(JSON.parse(row.definition) as CampaignDefinition),
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    launchedAt: iso(row.launched_at),
    finishedAt: iso(row.finished_at),
    runs: Number(row.runs),
    nextRunAt: iso(row.next_run_at),
    decision: row.decision === null ? null : JSON.parse(row.decision),
  };
}

export async function findCampaign(db: Kysely<Database>, appId: string, id: string) {
  const row = await db.selectFrom('campaigns').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('campaign_not_found', `No campaign ${id} in this app`);
  return row;
}

/** Saves a campaign as a draft, every member checked first (campaign-definition.ts). */
export async function createCampaign(ctx: Context, appId: string, input: CampaignInput): Promise<CampaignView> {
  await checkCampaign(ctx, appId, input);
  const now = ctx.now();
  const row = { id: newId('cmp'), app_id: appId, name: input.name, status: 'draft' as const, definition: JSON.stringify(input), created_at: now, updated_at: now, launched_at: null, finished_at: null, next_run_at: null, runs: 0, decision: null };
  await ctx.store.db.insertInto('campaigns').values(row).execute();
  return campaignView(row);
}

/** An intelligent campaign's latest plan (plan-job.ts): the users planned so far of those the audience had when it began. */
export interface PlanningView {
  phase: PlanPhase;
  planned: number;
  /** Null until the planning job has counted the audience. */
  total: number | null;
  startedAt: string;
  finishedAt: string | null;
}

async function planningView(ctx: Context, id: string): Promise<PlanningView | null> {
  const p = await ctx.store.db.selectFrom('campaign_plannings').selectAll().where('campaign_id', '=', id).orderBy('run', 'desc').orderBy('started_at', 'desc').executeTakeFirst();
  if (!p) return null;
  return { phase: p.phase, planned: Number(p.planned), total: p.total === null ? null : Number(p.total), startedAt: new Date(Number(p.started_at)).toISOString(), finishedAt: iso(p.finished_at === null ? null : Number(p.finished_at)) };
}

/** One campaign, its status brought up to date, with its counts by reason and by variant, and an intelligent one's planning. */
export async function getCampaign(ctx: Context, appId: string, id: string): Promise<CampaignView & { counts: CampaignCounts; planning: PlanningView | null }> {
  const row = await refreshStatus(ctx, await findCampaign(ctx.store.db, appId, id));
  return { ...campaignView(row), counts: await campaignCounts(ctx, row), planning: await planningView(ctx, id) };
}

/** A page of the app's campaigns, newest first. */
export async function listCampaigns(ctx: Context, appId: string, opts: { limit: number; cursor?: string; status?: CampaignStatus }): Promise<{ data: CampaignView[]; next: string | null }> {
  let q = ctx.store.db.selectFrom('campaigns').selectAll().where('app_id', '=', appId);
  if (opts.status !== undefined) q = q.where('status', '=', opts.status);
  if (opts.cursor !== undefined) {
    const before = decodeCampaignCursor(opts.cursor);
    q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit + 1).execute();
  // Brought up to date as getCampaign does (only scheduled and running ones can move), so
  // the list never shows a finished campaign as running.
  const page = await Promise.all(rows.slice(0, opts.limit).map((row) => refreshStatus(ctx, row)));
  const last = page.at(-1);
  return { data: page.map(campaignView), next: rows.length > opts.limit && last ? encodeCampaignCursor({ createdAt: last.created_at, id: last.id }) : null };
}

/** Statuses in which a campaign may still be changed: nothing of it has been sent. */
export const EDITABLE: ReadonlySet<CampaignStatus> = new Set(['draft']);

/**
 * Changes a draft: the members given replace the saved ones (`null` removes an optional
 * one), and the result is checked as a whole, as if saved anew.
 */
export async function updateCampaign(ctx: Context, appId: string, id: string, patch: CampaignPatch): Promise<CampaignView> {
  const row = await findCampaign(ctx.store.db, appId, id);
  if (!EDITABLE.has(row.status)) throw new ApiError('campaign_not_editable', `Campaign ${id} is ${row.status}: only a draft can be changed (cancel it and save a new one)`, { campaignStatus: row.status });
  const merged: Record<string, unknown> = { ...(JSON.parse(row.definition) as CampaignDefinition) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const definition = merged as CampaignDefinition;
  await checkCampaign(ctx, appId, definition);
  const updated = { ...row, name: definition.name, definition: JSON.stringify(definition), updated_at: ctx.now() };
  const res = await ctx.store.db.updateTable('campaigns').set({ name: updated.name, definition: updated.definition, updated_at: updated.updated_at }).where('id', '=', id).where('status', '=', 'draft').where('updated_at', '=', row.updated_at).executeTakeFirst();
  // Launched (or changed) meanwhile: the edit is not saved, and the answer says so.
  if (Number(res.numUpdatedRows) !== 1) throw new ApiError('campaign_not_editable', `Campaign ${id} changed meanwhile (launched or edited): read it again`);
  return campaignView(updated);
}

/** Deletes a draft; a launched campaign is cancelled instead, so its sends stay accounted for. */
export async function deleteCampaign(ctx: Context, appId: string, id: string): Promise<void> {
  const row = await findCampaign(ctx.store.db, appId, id);
  if (row.status !== 'draft') throw new ApiError('campaign_not_editable', `Campaign ${id} is ${row.status}: only a draft can be deleted; cancel a launched one`, { campaignStatus: row.status });
  const res = await ctx.store.db.deleteFrom('campaigns').where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  if (Number(res.numDeletedRows) !== 1) throw new ApiError('campaign_not_editable', `Campaign ${id} was launched meanwhile; cancel it instead`);
}
