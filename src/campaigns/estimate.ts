import { sql, type Kysely } from 'kysely';
import { audienceRows, compileContext } from '../audience/filter/sql/audience-query.ts';
import { whereUsers } from '../audience/filter/sql/where-users.ts';
import { CHANNELS, type Filter } from '../audience/filter/index.ts';
import type { Context } from '../context.ts';
import type { Database } from '../store/schema.ts';
import { audienceFilter, prepare, type CampaignDefinition, type PreparedCampaign } from './campaign-definition.ts';
import { findCampaign } from './campaigns.ts';
import { ContentRenderer, renderUser, type RenderContext } from './content/index.ts';
import { unsupported } from './lifecycle.ts';
import { cappedUsers, placeRecipient, validateCapRules, type CapRule } from './policy/index.ts';
import { campaignPlanner, nextRuns } from './timing/index.ts';
import { storedQuietHours } from './user-quiet-hours.ts';
import { appTiming } from './waves.ts';
import { ApiError } from '../errors/api-error.ts';

/** Why a user of the audience would not be sent the campaign when it goes. */
export const LEFT_OUT = ['excluded', 'no_subscription', 'suppressed', 'quiet_held', 'passed', 'holdout', 'capped', 'render_failed'] as const;
export type LeftOut = (typeof LEFT_OUT)[number];

export interface CampaignEstimate {
  /** Users the audience matches, before the excluded segment. */
  audience: number;
  willSend: number;
  /** The subscriptions of the users it will be sent to, by channel. */
  subscriptions: Record<(typeof CHANNELS)[number], number>;
  leftOut: Record<LeftOut, number>;
  /** RFC 3339: the instant the estimate is for (the launch, or the schedule's first instant). */
  at: string;
  /** False when templates were rendered for a sample of the audience (`sample` users) and render_failed scaled from it. */
  exact: boolean;
  sample?: number;
}

/** Subscriptions read per query while walking the audience. */
const PAGE = 1_000;

/**
 * What launching the draft now would do, recipient by recipient, with the code the launch
 * and the sends decide it with, and nothing stored or queued: the audience (its segments
 * as they are now), less the excluded segment's users and those without a subscription;
 * then per user, in the order a send decides: the category turned off (the fan-out),
 * quiet hours at the user's due instant (the planner), the local time passed, the holdout
 * (drawn from the campaign's id, as the send draws it), the app's frequency caps at the
 * launch instant, and the strict template rendered for the user (the personaliser).
 *
 * Templates are rendered for every user up to `campaignEstimateRenderSample` users of the
 * audience; above, for a uniform random sample of about that many, and render_failed is
 * the sample's share of failures scaled to the users who reach the render (`exact: false`).
 */
export async function estimateCampaign(ctx: Context, appId: string, campaignId: string): Promise<CampaignEstimate> {
  const row = await findCampaign(ctx.store.db, appId, campaignId);
  if (row.status !== 'draft') throw new ApiError('campaign_status', `Campaign ${row.id} is ${row.status}: only a draft is estimated (a launched one's recipients are listed by reason)`, { campaignStatus: row.status });
  const now = ctx.now();
  // Refused as the launch would refuse it: a schedule whose time has passed, an option the launch cannot do, a segment gone.
  const prepared = prepare(JSON.parse(row.definition) as CampaignDefinition, now);
  const missing = unsupported(prepared);
  if (missing) throw new ApiError('campaign_option_unavailable', missing);
  const filter = await audienceFilter(ctx, appId, prepared.definition.audience);
  const at = launchInstant(prepared, now);
  return walk(ctx, appId, row.id, prepared, filter, at);
}

/** When the launch would plan its first send: now, the `at` of the schedule, or a recurring campaign's first run. */
function launchInstant(prepared: PreparedCampaign, now: number): { launchAt: number; runAt?: number } {
  const s = prepared.schedule;
  if (s?.kind === 'recurring') {
    const first = nextRuns(s.cron, s.timezone, now, 1, s.until)[0];
    if (first === undefined) throw new ApiError('invalid_schedule', 'The schedule has no run left', { pointer: '#/schedule/recurring' });
    return { launchAt: first, runAt: first };
  }
  if (s?.kind === 'at') return { launchAt: Math.max(s.at, now) };
  return { launchAt: now };
}

async function countUsers(db: Kysely<Database>, appId: string, f: Filter, cctx: Awaited<ReturnType<typeof compileContext>>): Promise<number> {
  const r = await db.selectFrom('users').select(sql<number>`count(*)`.as('n')).where('users.app_id', '=', appId).where(whereUsers(f, cctx)).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function walk(ctx: Context, appId: string, campaignId: string, prepared: PreparedCampaign, filter: Filter, when: { launchAt: number; runAt?: number }): Promise<CampaignEstimate> {
  const db = ctx.store.db;
  const d = prepared.definition;
  const at = when.launchAt;
  const category = d.category ?? null;
  const cctx = await compileContext(db, appId, { now: at, caps: ctx.store.caps });
  const { exclude, ...whole } = d.audience;
  const base = exclude === undefined ? filter : await audienceFilter(ctx, appId, whole);
  const audience = await countUsers(db, appId, base, cctx);
  const kept = base === filter ? audience : await countUsers(db, appId, filter, cctx);
  const leftOut = Object.fromEntries(LEFT_OUT.map((r) => [r, 0])) as Record<LeftOut, number>;
  leftOut.excluded = audience - kept;

  const app = await db.selectFrom('apps').select(['name', 'globals', 'cap_rules']).where('id', '=', appId).executeTakeFirstOrThrow();
  const timing = await appTiming(ctx, appId);
  const schedule = prepared.schedule ?? { kind: 'at' as const, at };
  // An intelligent campaign's hour is each user's own, planned by its job from their engagement: its quiet hours are not estimated.
  const planner = schedule.kind === 'intelligent' ? null : campaignPlanner({ schedule, launchAt: at, ...(when.runAt !== undefined ? { runAt: when.runAt } : {}), appZone: timing.zone, appQuietHours: timing.quietHours, quietHoursApply: category !== 'security' && category !== 'civic' });
  const rules: CapRule[] = app.cap_rules === null || d.capping?.ignore ? [] : validateCapRules(JSON.parse(app.cap_rules));
  const appContext: RenderContext['app'] = { name: app.name, globals: app.globals === null ? {} : (JSON.parse(app.globals) as Record<string, unknown>) };
  const renderers = new Map<string | null, ContentRenderer>();
  const rendererOf = (variant: string | null) => {
    let r = renderers.get(variant);
    if (!r) renderers.set(variant, (r = new ContentRenderer(variant === null ? prepared.content : (prepared.variantContent.get(variant) ?? prepared.content))));
    return r;
  };
  const limit = ctx.config.campaignEstimateRenderSample;
  const share = kept <= limit ? 1 : limit / kept;
  let rendered = 0;
  let failed = 0;
  let reachedRender = 0;

  const decided = new Map<number, LeftOut | 'sent'>();
  const subscriptions = Object.fromEntries(CHANNELS.map((c) => [c, 0])) as CampaignEstimate['subscriptions'];
  const sentUsers: number[] = [];
  const probe = await compileContext(db, appId, { now: at, caps: ctx.store.caps }, 'probe');
  let after = 0;
  for (;;) {
    const rows = await audienceRows(db, filter, probe)
      .select(['subscriptions.seq as seq', 'subscriptions.channel as channel', 'users.seq as userSeq', 'users.external_id as externalId', 'users.language as language', 'users.timezone as timezone', 'users.country as country', 'users.attributes as attributes', 'users.quiet_hours as quiet'])
      .where('subscriptions.seq', '>', after)
      .orderBy('subscriptions.seq')
      .limit(PAGE)
      .execute();
    const fresh = rows.filter((r) => !decided.has(Number(r.userSeq)));
    const seqs = [...new Set(fresh.map((r) => Number(r.userSeq)))];
    const off = category === null || seqs.length === 0 ? new Set<number>() : await turnedOff(db, appId, category, seqs);
    const capped = rules.length === 0 || seqs.length === 0 ? new Map() : await cappedUsers(db, appId, seqs, category, at, rules);
    for (const r of fresh) {
      const userSeq = Number(r.userSeq);
      if (decided.has(userSeq)) continue;
      decided.set(userSeq, decide(r, userSeq));
    }
    for (const r of rows) if (decided.get(Number(r.userSeq)) === 'sent') subscriptions[r.channel as keyof typeof subscriptions] += 1;
    if (rows.length < PAGE) break;
    after = Number(rows.at(-1)!.seq);

    function decide(r: (typeof rows)[number], userSeq: number): LeftOut | 'sent' {
      if (off.has(userSeq)) return 'suppressed';
      const plan = planner?.plan({ timezone: r.timezone, quietHours: storedQuietHours(r.quiet) });
      const passed = plan !== undefined && 'skip' in plan;
      if (!passed && plan?.held) return 'quiet_held';
      let variant: string | null = null;
      if (prepared.variants) {
        const place = placeRecipient(campaignId, r.externalId, prepared.variants);
        if (place.kind === 'holdout') return 'holdout';
        if (place.kind === 'variant') variant = place.variant;
      }
      if (passed) return 'passed';
      if (capped.has(userSeq)) return 'capped';
      reachedRender += 1;
      if (share < 1 && Math.random() >= share) return 'sent';
      rendered += 1;
      const result = rendererOf(variant).render({ user: renderUser({ external_id: r.externalId, language: r.language, timezone: r.timezone, country: r.country, attributes: r.attributes }), app: appContext });
      if (result.ok) return 'sent';
      failed += 1;
      // Sampled: the failure is counted below, scaled; a sampled user is not told apart.
      return share < 1 ? 'sent' : 'render_failed';
    }
  }
  for (const [seq, reason] of decided) if (reason === 'sent') sentUsers.push(seq);
  else leftOut[reason] += 1;
  leftOut.no_subscription = kept - decided.size;
  let willSend = sentUsers.length;
  if (share < 1 && rendered > 0) {
    leftOut.render_failed = Math.round((failed / rendered) * reachedRender);
    willSend -= leftOut.render_failed;
  }
  return { audience, willSend, subscriptions, leftOut, at: new Date(at).toISOString(), exact: share === 1, ...(share < 1 ? { sample: rendered } : {}) };
}

/** Of these users, those who turned the category off (docs/preferences.md), as the fan-out leaves them out. */
async function turnedOff(db: Kysely<Database>, appId: string, category: string, seqs: number[]): Promise<Set<number>> {
  const rows = await db.selectFrom('user_preferences').select('user_seq').where('app_id', '=', appId).where('category', '=', category).where('enabled', '=', 0).where('user_seq', 'in', seqs).execute();
  return new Set(rows.map((r) => Number(r.user_seq)));
}
