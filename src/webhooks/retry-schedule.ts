/**
 * Delays before each retry of a webhook message: about a day in all, so that an endpoint
 * down overnight still gets its messages (the schedule Svix publishes for Standard
 * Webhooks senders). After the last, the message is failed; a replay starts it again.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** A Retry-After is honoured up to this (ms): a receiver cannot park a message for longer than the schedule's whole span. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * When the next attempt is due after failed attempt number `failed` (1-based, counted
 * from the start of this round: a replay starts a new one), or undefined when the
 * schedule is spent. A `Retry-After` (RFC 9110 §10.2.3) later than the schedule wins.
 */
export function nextAttemptDelay(failed: number, retryAfterMs?: number): number | undefined {
  const scheduled = RETRY_SCHEDULE_MS[failed - 1];
  if (scheduled === undefined) return undefined;
  return Math.max(scheduled, retryAfterMs ?? 0);
}
