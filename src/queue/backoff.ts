/**
 * Delay before retry number `attempt` (1-based): exponential from `base`, capped at `max`,
 * with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"), so that
 * retries of one broadcast do not arrive at a recovering push service all at once.
 */
export function retryDelay(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
