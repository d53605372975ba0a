import type { Transaction } from 'kysely';
import type { Filter } from '../audience/filter/index.ts';
import { compileContext } from '../audience/filter/sql/audience-query.ts';
import { whereUsers } from '../audience/filter/sql/where-users.ts';
import type { Context } from '../context.ts';
import { PRIORITY } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { PreparedCampaign } from './campaign-definition.ts';
import { insertCampaignNotification } from './campaign-notification.ts';
import { campaignPlanner, validateQuietHours, type QuietWindow, type RecipientTiming } from './timing/index.ts';
import { storedQuietHours } from './user-quiet-hours.ts';

/** What the recipients of one wave share, stored with its notification (notifications.wave). */
export interface Wave {
  /** The zones (as users store them; null for users without one) whose clocks put the send at this instant. */
  zones: (string | null)[];
  /**
   * The wave of the app's own zone (users without one) also takes users whose zone no user
   * of the audience had at launch (they signed up, or moved, since): listed here, the zones
   * planned, which those users are not in.
   */
  others?: string[];
  /**
   * Zones whose users do not all go at this instant (some set quiet hours of their own that
   * move them): per zone (`''` for users without one, and those of zones unknown at launch),
   * the users' own windows (`users.quiet_hours` as stored; null: none set) that go in this
   * wave. The fan-out takes the zone's users; the personaliser leaves out (`omit`) the
   * others, who are another wave's. Absent: every user of the wave's zones.
   */
  windows?: Record<string, WaveWindows>;
  /**
   * An intelligent campaign's wave: its users are those whose plan row (campaign_user_plans)
   * holds its `sendAt`, each with their own timing; `zones` is empty.
   */
  planned?: true;
  /** unix ms the wave goes, after quiet hours; for a skipped wave, when it would have. */
  sendAt: number;
  /** Set: the local time had passed at launch and the campaign skips such recipients. */
  skip?: 'passed';
  /** The timing every recipient of the wave is recorded with (send_records.timing). */
  timing: RecipientTiming;
  /**
   * An A/B test in winner mode goes out in two phases over one audience: `test` sends the
   * test group its variants; then `winner` sends the rest the winner, or `stopped` records
   * the rest as sent nothing (decide-job.ts).
   */
  phase?: 'test' | 'winner' | 'stopped';
  /** `winner`: the variant the rest gets. */
  variant?: string;
}

/**
 * Which users of a zone split over waves go in a wave: those whose own window is `in` the
 * list, or, in the zone's wave for the app's window (else its first), those whose window is
 * `notIn` the other waves' lists: a window set or changed after launch rides there.
 */
export type WaveWindows = { in: (string | null)[] } | { notIn: (string | null)[] };

/** Whether a user whose own window is `quiet` (as stored) goes in a wave, for their zone's entry (or none). */
export function inWaveWindows(entry: WaveWindows | undefined, quiet: string | null): boolean {
  if (entry === undefined) return true;
  return 'in' in entry ? entry.in.includes(quiet) : !entry.notIn.includes(quiet);
}

/** The app settings a launch reads. */
export interface AppTiming {
  zone: string | null;
  quietHours: QuietWindow | null;
}

export async function appTiming(ctx: Context, appId: string): Promise<AppTiming> {
  const row = await ctx.store.db.selectFrom('apps').select(['timezone', 'quiet_hours']).where('id', '=', appId).executeTakeFirstOrThrow();
  return { zone: row.timezone, quietHours: row.quiet_hours === null ? null : validateQuietHours(JSON.parse(row.quiet_hours)) };
}

/**
 * The waves of one run of a campaign: its audience's users grouped by their stored time
 * zone and own quiet hours, each group's send instant planned once (the schedule on that
 * zone's clock, then the user's window, else the app's), and the groups that share an
 * instant put in one wave. One `group by` over the audience is the whole per-user cost of
 * planning: a million users in a few hundred zones plan as a few hundred computations
 * (bench section 8), and a few own windows add a group each.
 *
 * Categories that bypass quiet hours (security, civic) are planned without them.
 */
export async function planWaves(ctx: Context, appId: string, prepared: PreparedCampaign, filter: Filter, opts: { launchAt: number; runAt?: number }): Promise<Wave[]> {
  const app = await appTiming(ctx, appId);
  const schedule = prepared.schedule ?? { kind: 'at' as const, at: opts.launchAt };
  const category = prepared.definition.category ?? null;
  const planner = campaignPlanner({
    schedule,
    launchAt: opts.launchAt,
    ...(opts.runAt !== undefined ? { runAt: opts.runAt } : {}),
    appZone: app.zone,
    appQuietHours: app.quietHours,
    quietHoursApply: category !== 'security' && category !== 'civic',
  });
  const cctx = await compileContext(ctx.store.db, appId, { now: opts.launchAt, caps: ctx.store.caps });
  // One group per zone and own window: users who set no window (the most) are one group per zone.
  const groups = await ctx.store.db
    .selectFrom('users')
    .select(['users.timezone as zone', 'users.quiet_hours as quiet'])
    .where('users.app_id', '=', appId)
    .where(whereUsers(filter, cctx))
    .groupBy(['users.timezone', 'users.quiet_hours'])
    .orderBy('users.timezone')
    .orderBy('users.quiet_hours')
    .execute();
  const waves = new Map<string, Wave>();
  // The app's zone is planned even when no user lacks a zone: its wave is where users of zones unknown at launch go.
  const planned = [...new Set(groups.map((g) => g.zone))];
  if (!planned.includes(null)) groups.push({ zone: null, quiet: null });
  // Per zone, the waves its groups went to, and each wave's windows of it.
  const byZone = new Map<string | null, Map<Wave, (string | null)[]>>();
  for (const { zone, quiet } of groups) {
    const plan = planner.plan({ timezone: zone, quietHours: storedQuietHours(quiet) });
    const skip = 'skip' in plan;
    const sendAt = skip ? Date.parse(plan.timing.dueAt) : plan.sendAt;
    // Users whose own window gives another instant than the app's have their timing of their own.
    const key = `${skip ? 'skip' : 'send'}:${sendAt}:${quiet !== null && plan.timing.quiet?.source === 'user' ? quiet : ''}`;
    let wave = waves.get(key);
    if (!wave) waves.set(key, (wave = { zones: [], sendAt, ...(skip ? { skip: 'passed' as const } : {}), timing: plan.timing }));
    if (!wave.zones.includes(zone)) wave.zones.push(zone);
    const ofZone = byZone.get(zone) ?? byZone.set(zone, new Map()).get(zone)!;
    const windows = ofZone.get(wave) ?? ofZone.set(wave, []).get(wave)!;
    windows.push(quiet);
  }
  for (const [zone, ofZone] of byZone) {
    if (ofZone.size < 2) continue;
    const entries = [...ofZone];
    const main = entries.find(([, windows]) => windows.includes(null)) ?? entries[0]!;
    for (const [wave, windows] of entries) {
      (wave.windows ??= {})[zone ?? ''] = wave === main[0] ? { notIn: entries.filter(([w]) => w !== wave).flatMap(([, ws]) => ws) } : { in: windows };
    }
  }
  const named = planned.filter((z): z is string => z !== null);
  for (const wave of waves.values()) if (wave.zones.includes(null)) wave.others = named;
  return [...waves.values()].sort((a, b) => a.sendAt - b.sendAt);
}

/** The wave's audience: the campaign's, among users of the wave's zones. */
export function waveFilter(filter: Filter, wave: Wave): Filter {
  const named = wave.zones.filter((z): z is string => z !== null);
  const parts: Filter[] = [];
  if (named.length > 0) parts.push({ attribute: 'timezone', op: 'in', value: named });
  if (named.length < wave.zones.length) parts.push({ attribute: 'timezone', op: 'not_exists' });
  if (wave.others !== undefined) parts.push(wave.others.length === 0 ? { attribute: 'timezone', op: 'exists' } : { attribute: 'timezone', op: 'not_in', value: wave.others });
  const zones: Filter = parts.length === 1 ? parts[0]! : { or: parts };
  return { and: [filter, zones] };
}

/**
 * Stores each wave as a notification of the campaign (`campaign_id`, `campaign_run`,
 * `wave`) with its fan-out job due at the wave's instant, in the caller's transaction: a
 * launch is all its waves or none. A skipped wave is fanned out at once, so that its
 * recipients are recorded with their reason (`passed`) like any other left out.
 */
export async function storeWaves(
  ctx: Context,
  tx: Transaction<Database>,
  campaignId: string,
  appId: string,
  prepared: PreparedCampaign,
  filter: Filter,
  run: number,
  waves: Wave[],
  opts: { audienceIsWave?: boolean } = {},
): Promise<string[]> {
  const now = ctx.now();
  const ids: string[] = [];
  for (const [i, wave] of waves.entries()) {
    ids.push(
      await insertCampaignNotification(ctx, tx, prepared, {
        campaignId,
        appId,
        run,
        // A planned wave names its instant in the target: the fan-out's pager takes the users planned at it.
        target: { campaign: campaignId, run, wave: i + 1, ...(wave.planned ? { planAt: wave.sendAt } : {}) },
        audience: opts.audienceIsWave || wave.planned ? filter : waveFilter(filter, wave),
        sendAt: wave.skip ? now : Math.max(wave.sendAt, now),
        wave,
        priority: PRIORITY.normal,
      }),
    );
  }
  return ids;
}

