/**
 * An oracle for campaign timing tests that does not go through luxon: what a clock in a
 * zone reads at an instant, formatted by the runtime's own Intl.DateTimeFormat. Timing
 * code computes instants with luxon's offsets; the tests read those instants back here.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

/** `"2026-12-24 09:00 GMT+05:30"`: the wall time and UTC offset in `zone` at `at`. */
export function intlWall(at: number, zone: string): string {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((part) => [part.type, part.value]));
  // ICU writes UTC itself as plain "GMT".
  const offset = p.timeZoneName === 'GMT' ? 'GMT+00:00' : p.timeZoneName;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${offset}`;
}

/** Just the wall time, `"2026-12-24 09:00"`. */
export function intlWallTime(at: number, zone: string): string {
  return intlWall(at, zone).slice(0, 16);
}
