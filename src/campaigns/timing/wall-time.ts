import { IANAZone } from 'luxon';

/**
 * Local wall time <-> instants in IANA time zones, with daylight-saving gaps and overlaps
 * decided here, explicitly, rather than left to whatever a library guesses.
 *
 * Offsets come from luxon's IANAZone (the runtime's tz data through Intl) and are cached per
 * zone and UTC hour, so planning a campaign for a million users costs a few Intl calls per
 * zone, not per user: an hour whose two ends have the same offset has it throughout (zones
 * change their offset at most once an hour), and only an hour holding a change is asked
 * minute by minute.
 */

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

/** Wall-clock fields, as read on a clock in some zone. Months are 1 to 12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** A calendar date and a time of day: `{date: "2026-12-24", time: "09:00"}` parsed. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export interface TimeOfDay {
  hour: number;
  minute: number;
}

const zones = new Map<string, IANAZone | null>();

/** The luxon zone for an IANA name, or null when the runtime does not know it. Cached. */
export function zoneNamed(name: string): IANAZone | null {
  let zone = zones.get(name);
  if (zone === undefined) {
    // `+05:30` and other offsets are not places and have no DST rules (as validate-user.ts refuses them).
    zone = /^[A-Za-z]/.test(name) && IANAZone.isValidZone(name) ? IANAZone.create(name) : null;
    if (zones.size > 10_000) zones.clear(); // hostile names cannot grow this without end
    zones.set(name, zone);
  }
  return zone;
}

/**
 * The zone a user's time is read in: theirs when the runtime knows it, else the app's
 * default (`fallbackZone`), else UTC. A stored zone can be unknown to this runtime when
 * the tz data of the Node that stored it was newer.
 */
export function resolveZone(zone: string | null | undefined, fallbackZone: string | null | undefined): string {
  if (zone && zoneNamed(zone)) return zone;
  if (fallbackZone && zoneNamed(fallbackZone)) return fallbackZone;
  return 'UTC';
}

// zone -> UTC hour number -> offset in minutes (NaN: the offset changes within that hour).
const offsetCache = new Map<string, Map<number, number>>();
const OFFSET_CACHE_LIMIT = 200_000; // entries per zone; a plan touches a few hundred hours

/** The zone's UTC offset in minutes at an instant (`+330` in Asia/Kolkata). The zone must be known. */
export function offsetAt(zone: string, at: number): number {
  let hours = offsetCache.get(zone);
  if (hours === undefined) {
    hours = new Map();
    offsetCache.set(zone, hours);
  }
  const bucket = Math.floor(at / HOUR);
  let offset = hours.get(bucket);
  if (offset === undefined) {
    const z = zoneNamed(zone);
    if (!z) throw new RangeError(`unknown time zone ${zone}`);
    const start = z.offset(bucket * HOUR);
    offset = start === z.offset((bucket + 1) * HOUR - 1) ? start : Number.NaN;
    if (hours.size > OFFSET_CACHE_LIMIT) hours.clear();
    hours.set(bucket, offset);
  }
  return Number.isNaN(offset) ? zoneNamed(zone)!.offset(at) : offset;
}

/** What a clock in `zone` reads at the instant `at`. */
export function wallTimeAt(at: number, zone: string): WallTime {
  const d = new Date(at + offsetAt(zone, at) * MINUTE);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** Minutes since local midnight at `at` in `zone` (0 to 1439). */
export function minuteOfDayAt(at: number, zone: string): number {
  const local = at + offsetAt(zone, at) * MINUTE;
  return Math.floor((((local % DAY) + DAY) % DAY) / MINUTE);
}

/** The calendar date `days` after `date` (negative: before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * How a wall time falls in a zone: `instants` are the moments a clock there reads it
 * (none in a DST gap, two in an overlap, earlier first). `resolved` is the one Carillon
 * uses (RFC 5545 §3.3.5, as iCalendar and Temporal's "compatible" do):
 *
 * - overlap (clocks go back, 01:30 happens twice): the first occurrence;
 * - gap (clocks go forward, 02:30 never happens): read with the offset before the gap,
 *   which lands as far past the gap's end as the time is past its start (02:30 on a
 *   one-hour spring-forward day is 03:30 after the change; 02:15 on Lord Howe's
 *   half-hour change is 02:45). `gapEnd` is then the first instant after the gap.
 *
 * Assumes at most one offset change within a day of the time, true of every zone's
 * rules today (Samoa skipping 30 December 2011 entirely is read the same way: a day-long
 * gap, resolved with the offset before it).
 */
export function wallTimeInstants(date: LocalDate, time: TimeOfDay, zone: string): { instants: number[]; resolved: number; gapEnd?: number } {
  const local = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute);
  const before = offsetAt(zone, local - DAY);
  const after = offsetAt(zone, local + DAY);
  const instants: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const at = local - offset * MINUTE;
    if (offsetAt(zone, at) === offset && !instants.includes(at)) instants.push(at);
  }
  instants.sort((a, b) => a - b);
  if (instants.length > 0) return { instants, resolved: instants[0]! };
  // A gap: `after > before`. The change lies between reading the time with the later offset
  // (still before the change) and with the earlier one (already after it).
  return { instants, resolved: local - before * MINUTE, gapEnd: firstInstantWithOffset(zone, local - after * MINUTE, local - before * MINUTE, after) };
}

/** The first whole minute in (lo, hi] at which `zone` has `offset`; at `hi` it has it. */
function firstInstantWithOffset(zone: string, lo: number, hi: number, offset: number): number {
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (offsetAt(zone, mid) === offset) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The instant of a local date and time in a user's zone, as unix ms: `localDueAt(
 * "2026-12-24", "09:00", "Europe/Paris", appZone)` is 08:00Z. A null or unknown zone uses
 * `fallbackZone` (the app's default), then UTC. Gaps and overlaps as in wallTimeInstants.
 */
export function localDueAt(date: string | LocalDate, time: string | TimeOfDay, zone: string | null | undefined, fallbackZone: string | null | undefined): number {
  const d = typeof date === 'string' ? parseLocalDate(date) : date;
  const t = typeof time === 'string' ? parseTimeOfDay(time) : time;
  if (!d || !t) throw new RangeError(`not a local date and time: ${String(date)} ${String(time)}`);
  return wallTimeInstants(d, t, resolveZone(zone, fallbackZone)).resolved;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `"2026-12-24"` (RFC 3339 full-date, a day some calendar has), or undefined. */
export function parseLocalDate(text: unknown): LocalDate | undefined {
  if (typeof text !== 'string') return undefined;
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.UTC rolls February 30 into March; a date that does not survive the round trip is not one.
  const back = new Date(Date.UTC(year, month - 1, day));
  if (year < 1970 || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** `"09:00"`: 24-hour `HH:MM`, 00:00 to 23:59, or undefined (`"9:00"`, `"24:00"`, seconds refused). */
export function parseTimeOfDay(text: unknown): TimeOfDay | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TIME.exec(text);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : undefined;
}

/** `{hour: 9, minute: 5}` -> `"09:05"`. */
export function formatTimeOfDay(t: TimeOfDay): string {
  return `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

/**
 * The first instant at or after `from` at which a clock in `zone` reads `time` (today's if
 * it is still ahead, else tomorrow's), a gap resolved as in wallTimeInstants and, in an
 * overlap, the occurrence still ahead.
 */
export function nextWallTime(from: number, time: TimeOfDay, zone: string): number {
  const today = wallTimeAt(from, zone);
  for (const day of [today, addDays(today, 1), addDays(today, 2)]) {
    const r = wallTimeInstants(day, time, zone);
    const at = r.instants.length > 0 ? r.instants.find((i) => i >= from) : r.resolved >= from ? r.resolved : undefined;
    if (at !== undefined) return at;
  }
  // Two days on, the time has come round in every zone (a skipped calendar day included).
  throw new RangeError(`no ${formatTimeOfDay(time)} in ${zone} after ${new Date(from).toISOString()}`);
}
