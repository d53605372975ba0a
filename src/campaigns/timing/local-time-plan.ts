import type { Schedule } from './schedule.ts';
import { resolveZone, wallTimeInstants } from './wall-time.ts';

type LocalTime = Extract<Schedule, { kind: 'localTime' }>;

/**
 * Where one recipient of a localTime campaign stands at launch. `zone` is the zone their
 * time was read in (theirs, or the app's default when theirs is unknown), for the send
 * record. `passed` says their local time had gone by at launch and `whenPassed:
 * "send_now"` sends it at launch instead; with `"skip"` they get `{skip: 'passed'}`.
 */
export type LocalTimePlan = { dueAt: number; zone: string; passed: boolean } | { skip: 'passed'; zone: string; wouldHaveBeenAt: number };

/**
 * The plan for one zone: the schedule's date and time on that zone's clocks (DST gaps and
 * overlaps as wall-time.ts decides), against the launch instant. A time equal to the launch
 * has not passed.
 *
 *     // schedule: 2026-12-24 at 09:00, launched at 2026-12-24T00:00Z
 *     localTimePlan(launchAt, schedule, 'Pacific/Kiritimati', 'UTC')
 *     // 09:00 at UTC+14 was 19:00Z on the 23rd: { dueAt: launchAt, passed: true } (or skip)
 *     localTimePlan(launchAt, schedule, 'Pacific/Pago_Pago', 'UTC')
 *     // 09:00 at UTC-11 is 20:00Z on the 24th: { dueAt: that, passed: false }
 */
export function localTimePlan(launchAt: number, schedule: LocalTime, zone: string | null | undefined, fallbackZone: string | null | undefined): LocalTimePlan {
  const used = resolveZone(zone, fallbackZone);
  const at = wallTimeInstants(schedule.date, schedule.time, used).resolved;
  if (at >= launchAt) return { dueAt: at, zone: used, passed: false };
  if (schedule.whenPassed === 'skip') return { skip: 'passed', zone: used, wouldHaveBeenAt: at };
  return { dueAt: launchAt, zone: used, passed: true };
}

/**
 * `localTimePlan` for a whole audience, computed once per distinct zone name: every user
 * in Europe/Paris shares one answer, so planning a million users is a million Map lookups
 * and a few hundred zone computations (the bench plans 1M users this way). The returned
 * function keeps its cache for the life of the plan; make one per launch.
 *
 *     const planFor = localTimePlanner(launchAt, schedule, app.timezone);
 *     for (const user of page) plans.push(planFor(user.timezone));
 */
export function localTimePlanner(launchAt: number, schedule: LocalTime, fallbackZone: string | null | undefined): (zone: string | null | undefined) => LocalTimePlan {
  const byZone = new Map<string | null | undefined, LocalTimePlan>();
  return (zone) => {
    let plan = byZone.get(zone);
    if (plan === undefined) {
      plan = localTimePlan(launchAt, schedule, zone, fallbackZone);
      // Names come from stored users: bounded by the zones that exist plus typos, but cap it anyway.
      if (byZone.size > 50_000) byZone.clear();
      byZone.set(zone, plan);
    }
    return plan;
  };
}
