import { resolveZone, minuteOfDayAt, nextWallTime, type TimeOfDay } from './wall-time.ts';

/**
 * Intelligent delivery: each recipient at the hour of the day they engage most, read on
 * their own clock. The choice is made in this order, and the source is kept so the send
 * record can show why a user got it when they did:
 *
 * 1. `user`: the local hour holding most of the user's own clicks and displays of the
 *    last 90 days, when they have at least MIN_USER_ENGAGEMENTS of them;
 * 2. `app`: else the app's most engaged local hour (appBestHour), when the app has at least
 *    MIN_APP_ENGAGEMENTS;
 * 3. `fallback`: else the schedule's fallback time (10:00 by default).
 *
 * An hour is sent at its start (engagement at 19:40 votes for 19:00). Ties go to the hour
 * engaged in most recently, as the freshest sign of a habit.
 *
 * Speed: an engagement's local hour costs one cached offset lookup (wall-time.ts caches
 * per zone and UTC hour), so a page of users with their 90 days of events is counted
 * without a call into Intl per event.
 */

export const ENGAGEMENT_WINDOW_MS = 90 * 86_400_000; // ms; the 90 days: a season of habits, not last year's
export const MIN_USER_ENGAGEMENTS = 3; // one or two clicks are chance; three start to be a habit
export const MIN_APP_ENGAGEMENTS = 20; // a new app's first few clicks say little about its users

export type BestHourSource = 'user' | 'app' | 'fallback';

/** The chosen local time and where it came from; `engagements` is how many times were counted. */
export interface BestHour {
  hour: number;
  minute: number;
  source: BestHourSource;
  engagements: number;
}

/** Counts of engagements per local hour (0 to 23), with the latest instant in each. */
export class HourHistogram {
  readonly counts = new Array<number>(24).fill(0);
  readonly latest = new Array<number>(24).fill(Number.NEGATIVE_INFINITY);
  total = 0;

  /** Counts `count` engagements at `at` on a clock in `zone` (more than one for a query's grouped rows). */
  add(at: number, zone: string, count = 1): void {
    const hour = Math.floor(minuteOfDayAt(at, zone) / 60);
    this.counts[hour]! += count;
    if (at > this.latest[hour]!) this.latest[hour] = at;
    this.total += count;
  }

  /** The hour with the most engagements (ties: the most recent), or null when empty. */
  best(): number | null {
    let best: number | null = null;
    for (let h = 0; h < 24; h++) {
      if (this.counts[h] === 0) continue;
      if (best === null || this.counts[h]! > this.counts[best]! || (this.counts[h] === this.counts[best] && this.latest[h]! > this.latest[best]!)) best = h;
    }
    return best;
  }
}

/**
 * The local time to send one user: `engagementTimes` are the unix ms of their clicks and
 * displays; with `now`, those outside the 90 days before it are ignored (the caller's query
 * may already have done so). `zone` is the user's zone as resolveZone gives it.
 *
 *     bestHour([t1, t2, t3], 'Asia/Kolkata', appBestHour(...), { hour: 10, minute: 0 })
 *     // { hour: 20, minute: 0, source: 'user', engagements: 3 } when all three were 20:xx IST
 */
export function bestHour(engagementTimes: readonly number[], zone: string, appHour: TimeOfDay | null, fallback: TimeOfDay, now?: number): BestHour {
  const histogram = new HourHistogram();
  for (const at of engagementTimes) {
    if (now !== undefined && (at > now || at < now - ENGAGEMENT_WINDOW_MS)) continue;
    histogram.add(at, zone);
  }
  const hour = histogram.total >= MIN_USER_ENGAGEMENTS ? histogram.best() : null;
  if (hour !== null) return { hour, minute: 0, source: 'user', engagements: histogram.total };
  if (appHour) return { hour: appHour.hour, minute: appHour.minute, source: 'app', engagements: histogram.total };
  return { hour: fallback.hour, minute: fallback.minute, source: 'fallback', engagements: histogram.total };
}

/**
 * The app's most engaged local hour: each engagement counted at the hour its user's clock
 * read (a zone unknown or null is the app's default), so 19:00 means 19:00 wherever each
 * user is. Null when fewer than MIN_APP_ENGAGEMENTS. Takes any iterable, so a query's rows
 * can be fed through it page by page; `count` lets a row stand for several engagements,
 * so the query can group by zone and quarter hour (`GROUP BY users.timezone, at / 900000`:
 * every zone's offset is a whole number of quarter hours, so a quarter hour of UTC falls
 * in one local hour) instead of returning every click.
 */
export function appBestHour(events: Iterable<{ at: number; zone: string | null; count?: number }>, fallbackZone: string | null, now?: number): TimeOfDay | null {
  const histogram = new HourHistogram();
  const zones = new Map<string | null, string>();
  for (const { at, zone, count } of events) {
    if (now !== undefined && (at > now || at < now - ENGAGEMENT_WINDOW_MS)) continue;
    let used = zones.get(zone);
    if (used === undefined) zones.set(zone, (used = resolveZone(zone, fallbackZone)));
    histogram.add(at, used, count ?? 1);
  }
  const hour = histogram.total >= MIN_APP_ENGAGEMENTS ? histogram.best() : null;
  return hour === null ? null : { hour, minute: 0 };
}

/**
 * When the chosen local time comes within `withinMs` of launch: its next occurrence on the
 * user's clock. A window shorter than a day may not hold it; then the message goes at the
 * edge of the window nearer to it on the clock (at launch when the time has just passed,
 * at the window's end when it is still to come), so it lands as close to the habit as the
 * operator allows.
 *
 *     intelligentDueAt(Date.parse('2026-12-24T06:00Z'), 24 * 3_600_000, { hour: 20, minute: 0 }, 'Europe/Paris')
 *     // 2026-12-24T19:00Z (20:00 in Paris)
 */
export function intelligentDueAt(launchAt: number, withinMs: number, choice: TimeOfDay, zone: string): number {
  const next = nextWallTime(launchAt, choice, zone);
  const windowEnd = launchAt + withinMs;
  if (next <= windowEnd) return next;
  // The previous occurrence is about a day before the next one (23 to 25 hours across DST).
  const previous = nextWallTime(next - 26 * 3_600_000, choice, zone);
  return launchAt - previous < next - windowEnd ? launchAt : windowEnd;
}
