import { bestHour, intelligentDueAt, type BestHourSource } from './intelligent.ts';
import { localTimePlan } from './local-time-plan.ts';
import { effectiveQuietHours, quietRelease, type QuietWindow } from './quiet-hours.ts';
import type { Schedule } from './schedule.ts';
import { formatTimeOfDay, resolveZone, type TimeOfDay } from './wall-time.ts';

/**
 * What the send record keeps of a recipient's timing (`send_records.timing`, JSON): enough
 * to answer "why did I get it at 08:00?" without recomputing anything.
 */
export interface RecipientTiming {
  kind: Schedule['kind'];
  /** The zone the recipient's clock was read in: theirs, else the app's default, else UTC. */
  zone: string;
  /** RFC 3339, UTC: when the schedule put the message (for a skip, when it would have gone). */
  dueAt: string;
  /** RFC 3339, UTC: when it may go, after quiet hours. Absent for a skip. */
  sendAt?: string;
  /** localTime: the local time had passed at launch (sent at launch, or skipped). */
  passed?: true;
  /** Quiet hours held it from dueAt to sendAt: which window, whose, and until when (RFC 3339, UTC: sendAt). */
  quiet?: { window: string; source: 'user' | 'app'; until: string };
  /** intelligent: the hour chosen, from whose engagement, and how many engagements counted. */
  best?: { time: string; source: BestHourSource; engagements: number };
}

export type RecipientPlan =
  | { sendAt: number; dueAt: number; held: boolean; timing: RecipientTiming }
  | { skip: 'passed'; timing: RecipientTiming };

/** A recipient as the planner needs them. */
export interface PlanRecipient {
  /** The user's stored IANA zone, if any. */
  timezone: string | null | undefined;
  /** The user's own quiet hours, replacing the app's. */
  quietHours?: QuietWindow | null;
  /** intelligent: unix ms of the user's clicks and displays (the last 90 days). */
  engagementTimes?: readonly number[];
}

export interface PlannerOptions {
  schedule: Schedule;
  /** unix ms the campaign (or this recurring run) was launched. */
  launchAt: number;
  /** recurring: the instant of this run; at launch otherwise. */
  runAt?: number;
  /** The app's default zone, for users whose zone is unknown. */
  appZone: string | null;
  /** The app's default quiet hours; null for none. */
  appQuietHours: QuietWindow | null;
  /** False for a category that bypasses quiet hours (the caller decides which). */
  quietHoursApply?: boolean;
  /** intelligent: the app's most engaged local hour (appBestHour), or null. */
  appHour?: TimeOfDay | null;
  /** intelligent: now, to drop engagements older than 90 days; launchAt when absent. */
  now?: number;
}

/**
 * The timing of every recipient of one launch. Users who share a zone and a quiet window
 * (and, for intelligent, a chosen hour) share one answer, computed once and cached, so a
 * million recipients cost a million Map lookups plus one computation per distinct
 * (zone, window, hour): the bench's 1M-user local-time plan depends on this. The returned
 * plans and their `timing` objects are shared between recipients: do not change them.
 *
 *     const planner = campaignPlanner({ schedule, launchAt: now, appZone: app.timezone, appQuietHours });
 *     for (const user of page) {
 *       const p = planner.plan({ timezone: user.timezone, quietHours: user.quietHours });
 *       if ('skip' in p) record(user, 'skipped', p.timing); else enqueue(user, p.sendAt, p.timing);
 *     }
 */
export function campaignPlanner(options: PlannerOptions): { plan(recipient: PlanRecipient): RecipientPlan } {
  const { schedule, launchAt, appZone, appQuietHours } = options;
  const applyQuiet = options.quietHoursApply ?? true;
  const cache = new Map<string, RecipientPlan>();
  const zoneNames = new Map<string | null | undefined, string>();

  const baseDue = (): number => {
    if (schedule.kind === 'at') return Math.max(schedule.at, launchAt);
    if (schedule.kind === 'recurring') return options.runAt ?? launchAt;
    return launchAt;
  };

  return {
    plan(recipient) {
      let zone = zoneNames.get(recipient.timezone);
      if (zone === undefined) {
        zone = resolveZone(recipient.timezone, appZone);
        if (zoneNames.size > 50_000) zoneNames.clear();
        zoneNames.set(recipient.timezone, zone);
      }
      const own = recipient.quietHours ?? null;
      const window = applyQuiet ? effectiveQuietHours(appQuietHours, own) : null;
      let best: ReturnType<typeof bestHour> | undefined;
      if (schedule.kind === 'intelligent') {
        best = bestHour(recipient.engagementTimes ?? [], zone, options.appHour ?? null, schedule.fallback, options.now ?? launchAt);
      }
      const key = `${zone}|${window ? windowText(window) : ''}|${own ? 'u' : 'a'}|${best ? `${best.hour}:${best.minute}:${best.source}:${best.engagements}` : ''}`;
      let plan = cache.get(key);
      if (plan === undefined) {
        plan = compute(zone, window, own !== null, best);
        if (cache.size > 200_000) cache.clear(); // engagement counts vary; the key space is still small
        cache.set(key, plan);
      }
      return plan;
    },
  };

  function compute(zone: string, window: QuietWindow | null, windowIsUsers: boolean, best: ReturnType<typeof bestHour> | undefined): RecipientPlan {
    let dueAt = baseDue();
    const timing: RecipientTiming = { kind: schedule.kind, zone, dueAt: '' };
    if (schedule.kind === 'localTime') {
      const p = localTimePlan(launchAt, schedule, zone, appZone);
      if ('skip' in p) return Object.freeze({ skip: 'passed', timing: Object.freeze({ ...timing, dueAt: iso(p.wouldHaveBeenAt), passed: true }) }) as RecipientPlan;
      dueAt = p.dueAt;
      if (p.passed) timing.passed = true;
    } else if (schedule.kind === 'intelligent' && best) {
      dueAt = intelligentDueAt(launchAt, schedule.withinMs, best, zone);
      timing.best = { time: formatTimeOfDay(best), source: best.source, engagements: best.engagements };
    }
    const sendAt = window ? quietRelease(dueAt, window, zone) : dueAt;
    timing.dueAt = iso(dueAt);
    timing.sendAt = iso(sendAt);
    if (sendAt !== dueAt && window) timing.quiet = { window: windowText(window), source: windowIsUsers ? 'user' : 'app', until: iso(sendAt) };
    return Object.freeze({ sendAt, dueAt, held: sendAt !== dueAt, timing: Object.freeze(timing) });
  }
}

const windowText = (w: QuietWindow): string => `${formatTimeOfDay(w.start)}-${formatTimeOfDay(w.end)}`;
const iso = (ms: number): string => new Date(ms).toISOString();
