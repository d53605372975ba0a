import { compileContext } from '../audience/filter/sql/audience-query.ts';
import { whereUsers } from '../audience/filter/sql/where-users.ts';
import type { Filter } from '../audience/filter/index.ts';
import type { Context } from '../context.ts';
import type { PreparedCampaign } from './campaign-definition.ts';
import { appEngagementRows, userEngagementTimes } from './timing/engagement-query.ts';
import { appBestHour, campaignPlanner, type RecipientPlan } from './timing/index.ts';
import { storedQuietHours } from './user-quiet-hours.ts';
import { appTiming, type Wave } from './waves.ts';

/** Users planned per page: one audience query, one engagement query and one insert each. */
const PAGE = 1_000;
/** Plan rows per insert statement: 5 bound values a row stays far under SQLite's 32,766. */
const ROWS_PER_INSERT = 500;

/**
 * The plan of an intelligent campaign's run: each user of the audience at their own best
 * hour (docs/campaigns-timing.md#intelligent-delivery). The audience is walked in pages of
 * users by seq; each page's 90 days of clicks and displays is one query, each user planned
 * (bestHour, then quiet hours: their own window, else the app's), and the page's plan rows
 * (`campaign_user_plans`: the instant of the user's wave and their timing) written in one
 * statement. The app's most engaged hour is asked once. A million users are a thousand
 * pages, never a query per user.
 *
 * Returns one wave per distinct instant, `planned`: its fan-out takes the users whose row
 * holds its instant (campaign-pager.ts), and each send record the user's own timing. The
 * rows of an earlier attempt at the same run are replaced.
 */
export async function planIntelligent(ctx: Context, campaignId: string, run: number, appId: string, prepared: PreparedCampaign, filter: Filter, launchAt: number): Promise<Wave[]> {
  const db = ctx.store.db;
  const app = await appTiming(ctx, appId);
  const category = prepared.definition.category ?? null;
  const appHour = appBestHour(await appEngagementRows(db, appId, launchAt), app.zone);
  const planner = campaignPlanner({
    schedule: prepared.schedule!,
    launchAt,
    appZone: app.zone,
    appQuietHours: app.quietHours,
    quietHoursApply: category !== 'security' && category !== 'civic',
    appHour,
    now: launchAt,
  });
  const cctx = await compileContext(db, appId, { now: launchAt, caps: ctx.store.caps });
  await db.deleteFrom('campaign_user_plans').where('campaign_id', '=', campaignId).where('run', '=', run).execute();
  const waves = new Map<number, Wave>();
  // Plans are shared objects (one per zone, window and hour): their JSON is made once.
  const texts = new Map<RecipientPlan, string>();
  let after = 0;
  for (;;) {
    const users = await db
      .selectFrom('users')
      .select(['users.seq', 'users.external_id', 'users.timezone', 'users.quiet_hours'])
      .where('users.app_id', '=', appId)
      .where(whereUsers(filter, cctx))
      .where('users.seq', '>', after)
      .orderBy('users.seq')
      .limit(PAGE)
      .execute();
    if (users.length === 0) break;
    const times = await userEngagementTimes(db, appId, users.map((u) => u.external_id), launchAt);
    const rows = users.map((u) => {
      const plan = planner.plan({ timezone: u.timezone, quietHours: storedQuietHours(u.quiet_hours), engagementTimes: times.get(u.external_id) ?? [] }) as Extract<RecipientPlan, { sendAt: number }>;
      let timing = texts.get(plan);
      if (timing === undefined) texts.set(plan, (timing = JSON.stringify(plan.timing)));
      if (!waves.has(plan.sendAt)) waves.set(plan.sendAt, { zones: [], sendAt: plan.sendAt, timing: plan.timing, planned: true });
      return { campaign_id: campaignId, run, user_seq: Number(u.seq), send_at: plan.sendAt, timing };
    });
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await db.insertInto('campaign_user_plans').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
    if (users.length < PAGE) break;
    after = Number(users.at(-1)!.seq);
  }
  return [...waves.values()].sort((a, b) => a.sendAt - b.sendAt);
}
