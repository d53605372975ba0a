import { DateTime, IANAZone } from 'luxon';

const DAY_MS = 86_400_000;

/**
 * The RFC 3339 stamps of instants (bucket starts, oldest first) on a zone's clock, written
 * as luxon's `toISO({ suppressMilliseconds: true })` writes them. A 30-day hourly series
 * has 720 buckets, and luxon formats each with `Intl` (formatToParts) to learn the zone's
 * offset: on the benchmark's machine most of the route's own time went there, once per
 * bucket and group.
 *
 * The offset is read once a day of instants instead, and between two readings that agree
 * it is taken as constant; where they differ, each instant between them is read. That
 * holds because no zone's offset changes twice within 24 hours (DST and zone changes are
 * weeks apart in the tz database). An offset that is not whole minutes (local mean time
 * before 1900) is left to luxon.
 */
export function zoneStamps(instants: readonly number[], zone: string): string[] {
  if (instants.length === 0) return [];
  // luxon writes the UTC zone as Z; any other zone, Etc/UTC too, with its offset.
  if (zone === 'UTC') return instants.map((ms) => plain(ms) + 'Z');
  const tz = IANAZone.create(zone);
  const offsets = new Array<number>(instants.length);
  offsets[0] = tz.offset(instants[0]!);
  let i = 0;
  while (i < instants.length - 1) {
    let j = i + 1;
    while (j + 1 < instants.length && instants[j + 1]! - instants[i]! <= DAY_MS) j++;
    offsets[j] = tz.offset(instants[j]!);
    for (let k = i + 1; k < j; k++) offsets[k] = offsets[j] === offsets[i] ? offsets[i]! : tz.offset(instants[k]!);
    i = j;
  }
  return instants.map((ms, k) => {
    const offset = offsets[k]!;
    if (!Number.isInteger(offset)) return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
    const abs = Math.abs(offset);
    return `${plain(ms + offset * 60_000)}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  });
}

/** `YYYY-MM-DDTHH:mm:ss` (and `.sss` when not zero) of a UTC instant. */
function plain(ms: number): string {
  const s = new Date(ms).toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) : s.slice(0, -1);
}
