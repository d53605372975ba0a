import { parseRetryAfter } from '../../transport/retry-after.ts';
import type { Outcome } from '../outcome.ts';

/** RFC 8030 §5 and the push services' documented answers, mapped to an outcome. */
export function mapWebPushResponse(status: number, headers: Record<string, string>, body: string, now: number, retryMax: number): Outcome {
  const reason = shortReason(status, body);
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 404 || status === 410) return { kind: 'gone', status, reason };
  if (status === 429) return { kind: 'throttled', status, reason, afterMs: parseRetryAfter(headers['retry-after'], now, retryMax) };
  if (status >= 500) return { kind: 'retry', status, reason, afterMs: parseRetryAfter(headers['retry-after'], now, retryMax) };
  // 400 (bad request), 401/403 (VAPID refused), 413 (too large) and anything else: our
  // request is wrong, and sending it again would not change the answer.
  return { kind: 'rejected', status, reason };
}

function shortReason(status: number, body: string): string {
  const text = body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return text ? `HTTP ${status}: ${text}` : `HTTP ${status}`;
}
