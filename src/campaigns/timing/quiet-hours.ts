import { Type, type Static } from '@sinclair/typebox';
import { TimingError, pointerJoin } from './timing-error.ts';
import { addDays, minuteOfDayAt, parseTimeOfDay, wallTimeAt, wallTimeInstants, type TimeOfDay } from './wall-time.ts';

/**
 * Quiet hours: a daily window of local time in which campaign messages are held, not
 * dropped, and released when the window ends. `{"start": "21:00", "end": "08:00"}` crosses
 * midnight (21:00 to 08:00 the next morning); `{"start": "13:00", "end": "14:00"}` does not.
 * The start is inside the window, the end is not. The app sets a default; a user's own
 * window replaces it (effectiveQuietHours).
 */
const HHMM = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export const QuietHours = Type.Object(
  {
    start: Type.String({ pattern: HHMM, description: 'HH:MM local time the window opens (inside it)' }),
    end: Type.String({ pattern: HHMM, description: 'HH:MM local time the window closes (outside it); before start when it crosses midnight' }),
  },
  { additionalProperties: false, description: 'a daily window of the recipient’s local time in which campaign messages are held until it ends' },
);
export type QuietHoursInput = Static<typeof QuietHours>;

/** A window once checked. */
export interface QuietWindow {
  start: TimeOfDay;
  end: TimeOfDay;
}

/** Checked quiet hours, or TimingError `invalid_quiet_hours` pointing at the member at fault. */
export function validateQuietHours(input: unknown, pointer = '/quietHours'): QuietWindow {
  const refuse = (detail: string, ...at: string[]): never => {
    throw new TimingError('invalid_quiet_hours', pointerJoin(pointer, ...at), detail);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return refuse('must be an object with start and end, such as {"start": "21:00", "end": "08:00"}');
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) if (key !== 'start' && key !== 'end') refuse('is not a member of quiet hours; it has start and end', key);
  const start = parseTimeOfDay(o.start);
  if (!start) return refuse('must be a 24-hour time as HH:MM, such as 21:00', 'start');
  const end = parseTimeOfDay(o.end);
  if (!end) return refuse('must be a 24-hour time as HH:MM, such as 08:00', 'end');
  // Equal ends would be an empty window or a whole day held for ever: neither can be meant.
  if (start.hour === end.hour && start.minute === end.minute) refuse('must differ from start', 'end');
  return { start, end };
}

/** The window that applies to a user: their own when they set one, else the app's, else none. */
export function effectiveQuietHours(appWindow: QuietWindow | null | undefined, userWindow: QuietWindow | null | undefined): QuietWindow | null {
  return userWindow ?? appWindow ?? null;
}

const minutes = (t: TimeOfDay): number => t.hour * 60 + t.minute;

/** Whether a clock in `zone` reads a time inside the window at `at`. */
export function isQuiet(at: number, window: QuietWindow, zone: string): boolean {
  const m = minuteOfDayAt(at, zone);
  const s = minutes(window.start);
  const e = minutes(window.end);
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/**
 * The instant a message due at `dueAt` may go: `dueAt` itself when the recipient's clock
 * is outside the window then, else the first instant at or after it at which their clock
 * reads the window's end. So it is DST-correct by construction:
 *
 * - an end that falls in a spring-forward gap (02:30 when 02:00 jumps to 03:00) releases
 *   at the gap's end (03:00): the first moment the clock is past 02:30;
 * - an end that occurs twice (01:30 on a fall-back day) releases at the occurrence after
 *   `dueAt`: the first when the message is held in the first pass, the second when it
 *   became due in the repeated hour.
 *
 *     quietRelease(Date.parse('2026-12-24T22:30:00+01:00'), window, 'Europe/Paris') // window: 21:00 to 08:00
 *     // 2026-12-25T08:00:00+01:00
 */
export function quietRelease(dueAt: number, window: QuietWindow, zone: string): number {
  if (!isQuiet(dueAt, window, zone)) return dueAt;
  const wall = wallTimeAt(dueAt, zone);
  const crossesMidnight = minutes(window.start) > minutes(window.end);
  // In a window crossing midnight, the evening part ends tomorrow morning.
  const endDay = crossesMidnight && wall.hour * 60 + wall.minute >= minutes(window.start) ? addDays(wall, 1) : wall;
  const end = wallTimeInstants(endDay, window.end, zone);
  if (end.gapEnd !== undefined) return Math.max(end.gapEnd, dueAt);
  const next = end.instants.find((at) => at >= dueAt);
  return next ?? Math.max(dueAt, end.resolved);
}

/**
 * `quietRelease` computed once per (zone, due instant, window): a local-time campaign has
 * one due instant per zone, so its million recipients need as many computations as it has
 * zones and windows. Make one per plan.
 */
export function quietReleaser(): (dueAt: number, window: QuietWindow | null, zone: string) => number {
  const cache = new Map<string, number>();
  return (dueAt, window, zone) => {
    if (window === null) return dueAt;
    const key = `${zone}|${dueAt}|${minutes(window.start)}|${minutes(window.end)}`;
    let at = cache.get(key);
    if (at === undefined) {
      at = quietRelease(dueAt, window, zone);
      if (cache.size > 100_000) cache.clear(); // intelligent plans have many due instants per zone
      cache.set(key, at);
    }
    return at;
  };
}
