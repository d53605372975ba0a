/**
 * Delay before retry number `attempt` (1-based): exponential from `base`, capped at `max`,
 * with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"), so that
 * retries of one broadcast do not arrive at a recovering push service all at once.
 */
export function retryDelay(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

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
