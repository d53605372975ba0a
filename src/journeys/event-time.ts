import { addDays, wallTimeAt, wallTimeInstants } from '../campaigns/timing/wall-time.ts';

const DAY = 86_400_000;

/** Whether a wait's `before` counts days on the user's clock (`1d`, `2w`) rather than elapsed time (`24h`, `30m`). */
export function beforeInDays(before: string): boolean {
  return /[dw]$/.test(before);
}

/**
 * The instant a wait `before` an event's time (`untilEventTime`) is due. Whole days and weeks
 * count on the user's clock: `1d` before 10:00 on a Sunday is 10:00 on the Saturday in their
 * zone, 23 or 25 hours earlier across a DST change, so "tomorrow at 10" is said at 10.
 * Minutes and hours are elapsed time: `1h` before is 60 minutes before, whatever the clocks do.
 * A wall time that falls in a gap or an overlap resolves as campaigns' do (wallTimeInstants).
 */
export function beforeEventTime(at: number, before: string, beforeMs: number, zone: string): number {
  if (!beforeInDays(before)) return at - beforeMs;
  const wall = wallTimeAt(at, zone);
  return wallTimeInstants(addDays(wall, -Math.round(beforeMs / DAY)), wall, zone).resolved;
}
