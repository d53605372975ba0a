import { Cron, CronPattern } from 'croner';
import { SCHEDULE_LIMITS } from './schedule.ts';

/**
 * Recurring campaigns: a five-field cron read in one IANA zone, by croner. Each run is its
 * own notification. Daylight saving is croner's (Vixie cron's) rule, which differs from
 * localTime's on purpose only in the gap:
 *
 * - a fixed time (`30 2 * * *`) that a spring-forward day skips runs at the first minute
 *   after the gap (03:00), once; one that a fall-back day repeats runs at its first
 *   occurrence, once;
 * - an hourly pattern (`0 * * * *`) skips the hour that does not exist and runs in both
 *   passes of the repeated hour, an hour apart.
 *
 * The minimum interval (SCHEDULE_LIMITS.minRecurringInterval, one hour) holds in real time:
 * the pattern must name one minute of the hour, so wall-clock runs are at least an hour
 * apart, and `nextRuns` drops a run that comes less than an hour after the one before,
 * which happens only where clocks move by half an hour (Australia/Lord_Howe: the repeated
 * 01:30 of `30 * * * *` is 30 minutes after the first; on the spring-forward day 02:45 is
 * 30 minutes after 01:45).
 */

export const MAX_CRON_LENGTH = 100; // characters; `0 9 1-7 * MON` needs 13, a hostile one needs bounding

/** Why a cron cannot be a campaign's schedule, or undefined when it can. `now` (unix ms) also checks that a run is ahead. */
export function cronProblem(cron: string, timezone: string, now?: number, until?: number | null): string | undefined {
  if (cron.length > MAX_CRON_LENGTH) return `is longer than ${MAX_CRON_LENGTH} characters`;
  let pattern: CronPattern;
  try {
    // 5-part: minute hour day month weekday, as crontab(5). Seconds would only invite runs a second apart.
    pattern = new CronPattern(cron, timezone, { mode: '5-part' });
  } catch (err) {
    return `is not a five-field cron (${(err as Error).message.replace(/^CronPattern: /, '')})`;
  }
  const minutes = pattern.minute.filter((on) => on).length;
  if (minutes !== 1) {
    return `runs ${minutes} times an hour; a campaign may run at most once an hour (name one minute, e.g. "0 9 * * MON")`;
  }
  const from = now ?? 0;
  const first = cronJob(cron, timezone).nextRun(new Date(from));
  if (first === null) return 'never runs (no date matches it)';
  if (until !== undefined && until !== null && first.getTime() > until) return `has no run before until (the next is ${first.toISOString()})`;
  return undefined;
}

/**
 * The next `count` runs strictly after `after` (unix ms), in real time order, none after
 * `until` (inclusive) and none less than the minimum interval after the run before it.
 * The cron must have passed `cronProblem`.
 *
 *     nextRuns('0 9 * * MON', 'Europe/Paris', Date.parse('2026-03-23T09:00:00+01:00'), 2)
 *     // 2026-03-30T07:00Z (09:00 CEST), 2026-04-06T07:00Z
 */
export function nextRuns(cron: string, timezone: string, after: number, count: number, until: number | null = null): number[] {
  const job = cronJob(cron, timezone);
  const start = new Date(after);
  // The run at or before `after`, so the first run returned also keeps the interval from it.
  let previous = job.match(start) ? after : (job.previousRuns(1, start)[0]?.getTime() ?? Number.NEGATIVE_INFINITY);
  const runs: number[] = [];
  let cursor = start;
  // Each drop is one repeated half hour a year; the bound only stops a pathological loop.
  for (let guard = 0; runs.length < count && guard < count * 2 + 4; guard++) {
    const next = job.nextRun(cursor);
    if (next === null) break;
    const at = next.getTime();
    if (until !== null && at > until) break;
    if (at - previous >= SCHEDULE_LIMITS.minRecurringInterval) {
      runs.push(at);
      previous = at;
    }
    cursor = next;
  }
  return runs;
}

// A Cron built without a function schedules nothing (no timer): it only computes dates.
function cronJob(cron: string, timezone: string): Cron {
  return new Cron(cron, { timezone, mode: '5-part', paused: true });
}
