import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import type { Job, JobSpec } from '../queue/queue.ts';
import type { Filter } from '../audience/filter/index.ts';
import { prepare, type CampaignDefinition, type PreparedCampaign } from './campaign-definition.ts';
import { startPlanning } from './intelligent-plan.ts';
import { audienceOrPause } from './campaign-run-job.ts';
import { decideWinner, type Decision, type VariantResult } from './policy/index.ts';
import { appTiming, planWaves, storeWaves, type Wave } from './waves.ts';

export const DECIDE_JOB = 'campaign-decide';

/**
 * The decision of a campaign in winner mode, due when its test has waited; keyed by its
 * instant (a key stays taken after its job ran, and a resume asks again later). A second
 * decision job does nothing: the decision is made once (`decision is null`).
 */
export function decideJobSpec(campaignId: string, runAt: number): JobSpec {
  return { name: DECIDE_JOB, data: { campaignId }, key: `campaign-decide:${campaignId}:${runAt}`, runAt };
}

/**
 * Winner mode's second phase. The test group's figures per variant (sent, and clicked once
 * per recipient) go to Pearson's chi-squared test (policy/decide-winner.ts): at p < 0.05
 * the variant with the highest click rate is the winner; otherwise the campaign sends the
 * best one anyway or stops, as it says. The decision is stored with the campaign and the
 * rest of the audience is planned as waves from now (quiet hours apply): the winner's
 * content, or, on `stop`, a record of each left out (`no_winner`). A campaign paused or
 * cancelled meanwhile, or decided already, is left as it is.
 */
export async function runDecide(ctx: Context, job: Job): Promise<void> {
  const { campaignId } = job.data as { campaignId: string };
  const db = ctx.store.db;
  const row = await db.selectFrom('campaigns').selectAll().where('id', '=', campaignId).executeTakeFirst();
  if (!row || row.decision !== null || (row.status !== 'scheduled' && row.status !== 'running')) return;
  const prepared = prepare(JSON.parse(row.definition) as CampaignDefinition);
  const winner = prepared.variants?.winner;
  if (!winner) return;
  const waves = (await db.selectFrom('notifications').select('id').where('campaign_id', '=', campaignId).where('campaign_run', '=', 1).execute()).map((w) => w.id);
  const results = await testResults(ctx, waves, prepared.variants!.split.map((v) => v.id));
  const decision: Decision = decideWinner(results, { otherwise: winner.otherwise });
  const filter = await audienceOrPause(ctx, campaignId, row.app_id, prepared.definition.audience);
  if (filter === null) return;
  const now = ctx.now();
  if (prepared.schedule?.kind === 'intelligent') return decideIntelligent(ctx, row.id, row.app_id, prepared, filter, decision, now);
  // The rest, from now, in the zones the test went to: zones whose local time had passed at
  // launch were recorded `passed` whole (campaign-personaliser.ts) and are not sent to now.
  const firstPhase = await db.selectFrom('notifications').select('wave').where('campaign_id', '=', campaignId).where('campaign_run', '=', 1).execute();
  const passed = new Set(firstPhase.map((w) => JSON.parse(w.wave ?? '{}') as Wave).filter((w) => w.skip === 'passed').flatMap((w) => w.zones));
  const planned = (await planWaves(ctx, row.app_id, { ...prepared, schedule: null }, filter, { launchAt: now }))
    .map((w) => ({ ...w, zones: w.zones.filter((z) => !passed.has(z)), ...(w.others !== undefined && passed.has(null) ? { others: undefined } : {}) }))
    .map(({ others, ...w }) => (others === undefined ? w : { ...w, others }))
    .filter((w) => w.zones.length > 0);
  const rest: Wave[] = planned.map((w) => (decision.variant === null ? { ...w, phase: 'stopped' as const } : { ...w, phase: 'winner' as const, variant: decision.variant }));
  await db.transaction().execute(async (tx) => {
    const res = await tx.updateTable('campaigns').set({ decision: JSON.stringify({ ...decision, decidedAt: new Date(now).toISOString() }), status: 'running', updated_at: now }).where('id', '=', campaignId).where('decision', 'is', null).where('status', 'in', ['scheduled', 'running']).executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return;
    await storeWaves(ctx, tx, campaignId, row.app_id, prepared, filter, 1, rest);
  });
  ctx.logger.info({ module: 'campaigns', campaignId, decision: decision.decision, variant: decision.variant, pValue: decision.pValue }, 'A/B test decided');
}

/**
 * The decision of an intelligent campaign: the rest of the audience, each user at their own
 * best hour from now, is planned by the planning job (phase `winner`), the campaign
 * `planning` meanwhile; on `stop`, one wave now records each of the rest `no_winner`.
 */
async function decideIntelligent(ctx: Context, campaignId: string, appId: string, prepared: PreparedCampaign, filter: Filter, decision: Decision, now: number): Promise<void> {
  const stored = JSON.stringify({ ...decision, decidedAt: new Date(now).toISOString() });
  // Read before the transaction: on SQLite a query outside it would wait for it for ever.
  const zone = (await appTiming(ctx, appId)).zone ?? 'UTC';
  await ctx.store.db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('campaigns')
      .set({ decision: stored, status: decision.variant === null ? 'running' : 'planning', updated_at: now })
      .where('id', '=', campaignId)
      .where('decision', 'is', null)
      .where('status', 'in', ['scheduled', 'running'])
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return;
    if (decision.variant !== null) return startPlanning(ctx, tx, campaignId, 1, 'winner', now);
    const stopped: Wave = { zones: [], sendAt: now, timing: { kind: 'intelligent', zone, dueAt: new Date(now).toISOString() }, phase: 'stopped' };
    await storeWaves(ctx, tx, campaignId, appId, prepared, filter, 1, [stopped], { audienceIsWave: true });
  });
  ctx.logger.info({ module: 'campaigns', campaignId, decision: decision.decision, variant: decision.variant, pValue: decision.pValue }, 'A/B test decided');
}

/** Per variant of the test phase: recipients sent, and those who clicked (each once). */
async function testResults(ctx: Context, waves: string[], variants: string[]): Promise<VariantResult[]> {
  const results = new Map(variants.map((id) => [id, { id, sent: 0, clicked: 0 }]));
  if (waves.length === 0) return [...results.values()];
  const db = ctx.store.db;
  const sent = await db.selectFrom('send_records').select(['variant', sql<number>`count(*)`.as('n')]).where('notification_id', 'in', waves).where('reason', '=', 'sent').groupBy('variant').execute();
  for (const s of sent) if (s.variant !== null && results.has(s.variant)) results.get(s.variant)!.sent = Number(s.n);
  const clicked = await db
    .selectFrom('events')
    .innerJoin('subscriptions', 'subscriptions.id', 'events.subscription_id')
    .innerJoin('send_records', (j) => j.onRef('send_records.notification_id', '=', 'events.notification_id').onRef('send_records.subscription_seq', '=', 'subscriptions.seq'))
    .select(['send_records.variant as variant', sql<number>`count(distinct events.subscription_id)`.as('n')])
    .where('events.notification_id', 'in', waves)
    .where('events.type', '=', 'clicked')
    .where('send_records.reason', '=', 'sent')
    .groupBy('send_records.variant')
    .execute();
  for (const c of clicked) if (c.variant !== null && results.has(c.variant)) results.get(c.variant)!.clicked = Number(c.n);
  return [...results.values()];
}

/** Winner mode's decision job; a campaign whose test has waited and that has no decision yet is its unfinished work. */
export function decideJob(ctx: Context): JobKind {
  return {
    name: DECIDE_JOB,
    handler: (job) => runDecide(ctx, job),
    async reconcile() {
      const db = ctx.store.db;
      const rows = await db.selectFrom('campaigns').select(['id', 'definition', 'launched_at']).where('status', 'in', ['scheduled', 'running']).where('decision', 'is', null).where('launched_at', 'is not', null).limit(1000).execute();
      const specs: JobSpec[] = [];
      for (const r of rows) {
        const winner = prepare(JSON.parse(r.definition) as CampaignDefinition).variants?.winner;
        if (!winner) continue;
        specs.push(decideJobSpec(r.id, await decisionDueAt(db, r.id, r.launched_at!, winner.waitMs)));
      }
      return specs;
    },
  };
}

/**
 * When winner mode decides: the test's last wave (its latest send instant, resumed ones
 * included), then the wait. Launch, resume and reconcile all ask this, so they queue the
 * same job (one key) rather than one deciding before the others would.
 */
export async function decisionDueAt(db: Kysely<Database> | Transaction<Database>, campaignId: string, launchedAt: number, waitMs: number): Promise<number> {
  const last = await db.selectFrom('notifications').select(sql<number>`max(send_at)`.as('at')).where('campaign_id', '=', campaignId).where('campaign_run', '=', 1).where('status', '<>', 'cancelled').executeTakeFirst();
  return Math.max(launchedAt, Number(last?.at ?? 0)) + waitMs;
}
