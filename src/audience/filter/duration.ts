import { MAX_DURATION_MS } from './limits.ts';

/**
 * A duration of the filter language: a positive whole number and a unit, no spaces, no
 * leading zero:
 *
 *     duration = nonzero-digit *5DIGIT unit
 *     unit     = "m" / "h" / "d" / "w"        ; minutes, hours, days (24 h), weeks (7 d)
 *
 * `"30m"`, `"12h"`, `"7d"`, `"2w"`; at most ten years. Days are 86,400,000 ms: a window is
 * a span of time before now, not a count of calendar days in some time zone.
 */
const DURATION = /^([1-9][0-9]{0,5})([mhdw])$/;

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The duration in milliseconds, or undefined when the text is not one (or is over ten years). */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms <= MAX_DURATION_MS ? ms : undefined;
}
