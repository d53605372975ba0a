import type { CapTime } from './types.ts';

// CAP 1.2 §3.3.2: "YYYY-MM-DDThh:mm:ssXzh:hzm", an offset always written, UTC as
// "-00:00". Tolerated because real feeds send them: a `Z` in place of the offset, a stray
// `Z` after it (the offset written wins), and fractional seconds.
const CAP_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:(Z)|([+-])(\d{2}):(\d{2})Z?)$/;

/**
 * Parses a CAP dateTime; undefined when the text does not have that form or names no real
 * instant (month 13, 25:00, an offset past ±14:00).
 * @example parseCapTime('2003-06-17T14:57:00-07:00')?.epochMs === Date.UTC(2003, 5, 17, 21, 57)
 */
export function parseCapTime(text: string): CapTime | undefined {
  const m = CAP_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const sign = m[9] === '-' ? -1 : 1;
  const offsetHours = m[8] ? 0 : Number(m[10]);
  const offsetMins = m[8] ? 0 : Number(m[11]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 14 || offsetMins > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 31 February into March: a round trip shows the day was not real.
  if (new Date(local).getUTCDate() !== day) return undefined;
  const offsetMinutes = sign * (offsetHours * 60 + offsetMins);
  return { text, epochMs: local - offsetMinutes * 60_000, offsetMinutes: offsetMinutes === 0 ? 0 : offsetMinutes };
}
