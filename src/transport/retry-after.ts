/**
 * A Retry-After header as ms from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; capped at `max` so a hostile peer cannot park us.
 */
export function parseRetryAfter(value: string | undefined, now: number, max: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(max, Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.min(max, Math.max(0, at - now));
}
