import { sql, type Kysely, type Transaction } from 'kysely';
import { compileContext } from '../audience/filter/sql/audience-query.ts';
import { whereUsers } from '../audience/filter/sql/where-users.ts';
import type { Filter } from '../audience/filter/index.ts';
import type { Context } from '../context.ts';
import type { JobSpec } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { CampaignPlanningsTable, PlanPhase } from '../store/schema-campaign-planning.ts';
import type { PreparedCampaign } from './campaign-definition.ts';
import { placeRecipient } from './policy/index.ts';
import { appEngagementRows, userEngagementTimes } from './timing/engagement-query.ts';
import { appBestHour, campaignPlanner, type RecipientPlan, type TimeOfDay } from './timing/index.ts';
import { storedQuietHours } from './user-quiet-hours.ts';
import { appTiming, type Wave } from './waves.ts';

export const PLAN_JOB = 'campaign-plan';

/** The job that plans an intelligent campaign's run (or winner mode's rest, plan-job.ts); one key per plan, so adding it twice queues it once. */
export function planJobSpec(campaignId: string, run: number, phase: PlanPhase): JobSpec {
  return { name: PLAN_JOB, data: { campaignId, run, phase }, key: `campaign-plan:${campaignId}:${run}:${phase}` };
}

/** Plan rows per insert statement: 5 bound values a row stays far under SQLite's 32,766. */
const ROWS_PER_INSERT = 500;

type Db = Kysely<Database> | Transaction<Database>;
export type Planning = CampaignPlanningsTable;

const pk = (campaignId: string, run: number, phase: PlanPhase) => (q: any) => q.where('campaign_id', '=', campaignId).where('run', '=', run).where('phase', '=', phase);

export async function planningOf(db: Db, campaignId: string, run: number, phase: PlanPhase): Promise<Planning | undefined> {
  const row = await db.selectFrom('campaign_plannings').selectAll().where('campaign_id', '=', campaignId).where('run', '=', run).where('phase', '=', phase).executeTakeFirst();
  return row && { ...row, launch_at: Number(row.launch_at), after_seq: Number(row.after_seq), planned: Number(row.planned), total: row.total === null ? null : Number(row.total) } as Planning;
}

/** The plan a launch (or a decision) asks for, made by the planning job from `launchAt`, and its job; in the caller's transaction. */
export async function startPlanning(ctx: Context, tx: Transaction<Database>, campaignId: string, run: number, phase: PlanPhase, launchAt: number): Promise<void> {
  await tx.insertInto('campaign_plannings').values({ campaign_id: campaignId, run, phase, launch_at: launchAt, app_hour: null, after_seq: 0, planned: 0, total: null, started_at: launchAt, finished_at: null }).execute();
  await ctx.queue.add([planJobSpec(campaignId, run, phase)], tx);
}

/**
 * What a plan is made with, read once when it starts and kept with it (the app's most
 * engaged hour then; the audience's size, for the progress shown): a plan resumed after a
 * crash gives every user the answer the first attempt would have.
 */
async function begin(ctx: Context, p: Planning, appId: string, filter: Filter): Promise<Planning> {
  if (p.total !== null && p.app_hour !== null) return p;
  const db = ctx.store.db;
  const app = await appTiming(ctx, appId);
  const appHour = appBestHour(await appEngagementRows(db, appId, p.launch_at), app.zone);
  const cctx = await compileContext(db, appId, { now: p.launch_at, caps: ctx.store.caps });
  const counted = await db.selectFrom('users').select(sql<number>`count(*)`.as('n')).where('users.app_id', '=', appId).where(whereUsers(filter, cctx)).executeTakeFirstOrThrow();
  const set = { total: Number(counted.n), app_hour: JSON.stringify(appHour) };
  await pk(p.campaign_id, p.run, p.phase)(db.updateTable('campaign_plannings').set(set)).where('total', 'is', null).execute();
  return (await planningOf(db, p.campaign_id, p.run, p.phase))!;
}

/**
 * Plans an intelligent campaign's run, each user of the audience at their own best hour
 * (docs/campaigns-timing.md#intelligent-delivery), from where the plan `p` got to. The
 * audience is walked in pages of users by seq; each page's 90 days of clicks and displays is
 * one query, each user planned (bestHour, then quiet hours: their own window, else the
 * app's), and the page's plan rows (`campaign_user_plans`: the instant of the user's wave
 * and their timing) written in one transaction with the plan's cursor: a worker killed
 * between pages loses nothing and a restarted one goes on from the cursor, planning no
 * user twice (rows are inserted, so a second row for a user would be refused).
 *
 * Winner mode plans in two phases: `launch` the test group and the holdout (each at their
 * best hour from launch), `winner` the users drawn into the rest (assign.ts), at their best
 * hour from the decision.
 *
 * Returns false when it stopped early: the campaign is no longer planning (cancelled,
 * paused), or another worker has moved the cursor on.
 */
export async function planPages(ctx: Context, p0: Planning, appId: string, prepared: PreparedCampaign, filter: Filter, opts: { maxPages?: number } = {}): Promise<boolean> {
  const db = ctx.store.db;
  let p = await begin(ctx, p0, appId, filter);
  const app = await appTiming(ctx, appId);
  const category = prepared.definition.category ?? null;
  const planner = campaignPlanner({
    schedule: prepared.schedule!,
    launchAt: p.launch_at,
    appZone: app.zone,
    appQuietHours: app.quietHours,
    quietHoursApply: category !== 'security' && category !== 'civic',
    appHour: JSON.parse(p.app_hour!) as TimeOfDay | null,
    now: p.launch_at,
  });
  const cctx = await compileContext(db, appId, { now: p.launch_at, caps: ctx.store.caps });
  const page = ctx.config.campaignPlanPage;
  // Plans are shared objects (one per zone, window and hour): their JSON is made once.
  const texts = new Map<RecipientPlan, string>();
  // Winner mode plans in two phases: at launch the test group and the holdout, after the decision the rest.
  const variants = prepared.variants?.winner ? prepared.variants : null;
  const ours = (key: string) => variants === null || (placeRecipient(p.campaign_id, key, variants).kind === 'rest') === (p.phase === 'winner');
  for (let pages = 0; opts.maxPages === undefined || pages < opts.maxPages; pages++) {
    const users = await db
      .selectFrom('users')
      .select(['users.seq', 'users.external_id', 'users.timezone', 'users.quiet_hours'])
      .where('users.app_id', '=', appId)
      .where(whereUsers(filter, cctx))
      .where('users.seq', '>', p.after_seq)
      .orderBy('users.seq')
      .limit(page)
      .execute();
    if (users.length === 0) return true;
    const mine = users.filter((u) => ours(u.external_id));
    const times = mine.length === 0 ? new Map<string, number[]>() : await userEngagementTimes(db, appId, mine.map((u) => u.external_id), p.launch_at);
    const rows = mine.map((u) => {
      const plan = planner.plan({ timezone: u.timezone, quietHours: storedQuietHours(u.quiet_hours), engagementTimes: times.get(u.external_id) ?? [] }) as Extract<RecipientPlan, { sendAt: number }>;
      let timing = texts.get(plan);
      if (timing === undefined) texts.set(plan, (timing = JSON.stringify(plan.timing)));
      return { campaign_id: p.campaign_id, run: p.run, user_seq: Number(u.seq), send_at: plan.sendAt, timing };
    });
    const last = Number(users.at(-1)!.seq);
    const from = p.after_seq;
    const advanced = await db.transaction().execute(async (tx) => {
      const campaign = await tx.selectFrom('campaigns').select('status').where('id', '=', p.campaign_id).executeTakeFirst();
      if (campaign?.status !== 'planning') return false;
      const res = await pk(p.campaign_id, p.run, p.phase)(tx.updateTable('campaign_plannings').set({ after_seq: last, planned: sql`planned + ${users.length}` }))
        .where('after_seq', '=', from)
        .where('finished_at', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) !== 1) return false;
      // Inserted, never upserted: a user planned twice would be refused by the primary key.
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await tx.insertInto('campaign_user_plans').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
      return true;
    });
    if (!advanced) return false;
    p = { ...p, after_seq: last, planned: p.planned + users.length };
    if (users.length < page) return true;
  }
  return false;
}

/**
 * The waves of a finished plan: one per distinct instant of its rows (of a `winner` plan,
 * the instants from the decision on; the test's are all before it), `planned`: the fan-out
 * of each takes the users whose row holds its instant (campaign-pager.ts), and each send
 * record the user's own timing.
 */
export async function plannedWaves(tx: Db, p: Planning): Promise<Wave[]> {
  const instants = await tx
    .selectFrom('campaign_user_plans')
    .select(['send_at', sql<string>`min(timing)`.as('timing')])
    .where('campaign_id', '=', p.campaign_id)
    .where('run', '=', p.run)
    .$if(p.phase === 'winner', (q) => q.where('send_at', '>=', p.launch_at))
    .groupBy('send_at')
    .orderBy('send_at')
    .execute();
  return instants.map((i) => ({ zones: [], sendAt: Number(i.send_at), timing: JSON.parse(i.timing), planned: true as const }));
}
