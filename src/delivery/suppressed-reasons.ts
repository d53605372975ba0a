/**
 * notifications.suppressed_reasons (a JSON object, reason -> count) with `more` added:
 * `preference_off` from the fan-out, the personaliser's skip reasons from the deliver job.
 */
export function addReasons(stored: string | null, more: Record<string, number>): string {
  const reasons = stored ? (JSON.parse(stored) as Record<string, number>) : {};
  for (const [reason, n] of Object.entries(more)) reasons[reason] = (reasons[reason] ?? 0) + n;
  return JSON.stringify(reasons);
}
