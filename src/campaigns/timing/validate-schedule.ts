import { rfc3339Time } from '../../audience/users/validate-user.ts';
import { parseDuration } from '../../audience/filter/duration.ts';
import { cronProblem } from './recurring.ts';
import { SCHEDULE_LIMITS, type Schedule } from './schedule.ts';
import { TimingError, pointerJoin } from './timing-error.ts';
import { parseLocalDate, parseTimeOfDay, zoneNamed } from './wall-time.ts';

const KINDS = ['at', 'localTime', 'recurring', 'intelligent'] as const;

/**
 * A campaign's `schedule` checked and parsed, or a TimingError `invalid_schedule` with the
 * pointer to the member at fault (`pointer` says where the schedule is in the body).
 * Nothing is coerced: `"time": 900` or `"time": "9:00"` is refused, not read as 09:00.
 *
 * With `now` (unix ms, the injected clock) it also refuses what is already over or too far
 * ahead: an `at` or localTime date more than a year ahead, a recurring `until` passed or
 * with no run before it. Without it only the shape and the values are checked (a PATCH of a
 * draft can be checked again at launch).
 *
 *     validateSchedule({ localTime: { date: '2026-12-24', time: '09:00' } })
 *     // { kind: 'localTime', date: {year: 2026, month: 12, day: 24}, time: {hour: 9, minute: 0}, whenPassed: 'send_now' }
 */
export function validateSchedule(input: unknown, pointer = '/schedule', now?: number): Schedule {
  const refuse = (detail: string, ...at: (string | number)[]): never => {
    throw new TimingError('invalid_schedule', pointerJoin(pointer, ...at), detail);
  };
  if (!isObject(input)) return refuse('must be an object with one of at, localTime, recurring or intelligent');
  const keys = Object.keys(input);
  if (keys.length !== 1) return refuse(`must have exactly one of ${KINDS.join(', ')}; it has ${keys.length === 0 ? 'none' : keys.join(', ')}`);
  const kind = keys[0]!;
  const body = input[kind];

  switch (kind) {
    case 'at': {
      const at = typeof body === 'string' ? rfc3339Time(body) : undefined;
      if (at === undefined) return refuse('must be an RFC 3339 date-time with an offset, such as 2026-12-24T09:00:00+01:00', 'at');
      if (now !== undefined && at > now + SCHEDULE_LIMITS.maxAhead) refuse('may be at most a year ahead', 'at');
      return { kind: 'at', at };
    }
    case 'localTime': {
      const o = members(body, ['date', 'time', 'whenPassed'], ['date', 'time'], refuse, 'localTime');
      const date = parseLocalDate(o.date);
      if (!date) refuse('must be a calendar date as YYYY-MM-DD, such as 2026-12-24', 'localTime', 'date');
      const time = parseTimeOfDay(o.time);
      if (!time) refuse('must be a 24-hour time as HH:MM, such as 09:00', 'localTime', 'time');
      const whenPassed = o.whenPassed === undefined ? 'send_now' : o.whenPassed; // null is refused, not read as absent
      if (whenPassed !== 'send_now' && whenPassed !== 'skip') refuse('must be "send_now" or "skip"', 'localTime', 'whenPassed');
      if (now !== undefined) {
        const wall = Date.UTC(date!.year, date!.month - 1, date!.day, time!.hour, time!.minute);
        if (wall > now + SCHEDULE_LIMITS.maxAhead) refuse('may be at most a year ahead', 'localTime', 'date');
        // The last clocks on Earth (UTC-12) read it 12 hours after UTC does; after that nobody's is ahead.
        if (wall + 12 * 3_600_000 <= now) refuse('has passed in every time zone', 'localTime', 'date');
      }
      return { kind: 'localTime', date: date!, time: time!, whenPassed: whenPassed as 'send_now' | 'skip' };
    }
    case 'recurring': {
      const o = members(body, ['cron', 'timezone', 'until'], ['cron', 'timezone'], refuse, 'recurring');
      if (typeof o.timezone !== 'string' || !zoneNamed(o.timezone)) {
        refuse('must be an IANA time zone name, such as Europe/Paris', 'recurring', 'timezone');
      }
      let until: number | null = null;
      if (o.until !== undefined) {
        until = typeof o.until === 'string' ? (rfc3339Time(o.until) ?? null) : null;
        if (until === null) return refuse('must be an RFC 3339 date-time with an offset', 'recurring', 'until');
        if (now !== undefined && until <= now) refuse('has already passed', 'recurring', 'until');
      }
      if (typeof o.cron !== 'string') return refuse('must be a string such as "0 9 * * MON"', 'recurring', 'cron');
      const problem = cronProblem(o.cron, o.timezone as string, now, until);
      if (problem) refuse(`"${o.cron.slice(0, 100)}" ${problem}`, 'recurring', 'cron');
      return { kind: 'recurring', cron: o.cron, timezone: o.timezone as string, until };
    }
    case 'intelligent': {
      const o = members(body, ['within', 'fallback'], [], refuse, 'intelligent');
      let withinMs: number = SCHEDULE_LIMITS.maxWithin;
      if (o.within !== undefined) {
        const ms = parseDuration(o.within);
        if (ms === undefined || ms < SCHEDULE_LIMITS.minWithin || ms > SCHEDULE_LIMITS.maxWithin) {
          return refuse('must be a duration from 1h to 24h, such as "24h" or "90m"', 'intelligent', 'within');
        }
        withinMs = ms;
      }
      const fallback = o.fallback === undefined ? { hour: 10, minute: 0 } : parseTimeOfDay(o.fallback);
      if (!fallback) return refuse('must be a 24-hour time as HH:MM, such as 10:00', 'intelligent', 'fallback');
      return { kind: 'intelligent', withinMs, fallback };
    }
    default:
      return refuse(`is not a schedule kind; use one of ${KINDS.join(', ')}`, kind);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object's members, refusing a non-object, an unknown member or a missing required one. */
function members(
  body: unknown,
  allowed: string[],
  required: string[],
  refuse: (detail: string, ...at: (string | number)[]) => never,
  kind: string,
): Record<string, unknown> {
  if (!isObject(body)) return refuse('must be an object', kind);
  for (const key of Object.keys(body)) if (!allowed.includes(key)) refuse(`is not a member of ${kind}; it has ${allowed.join(', ')}`, kind, key);
  for (const key of required) if (body[key] === undefined) refuse(`is required`, kind, key);
  return body;
}
