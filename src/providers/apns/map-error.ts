import { parseRetryAfter } from '../../transport/retry-after.ts';
import type { Outcome } from '../outcome.ts';

/**
 * Apple, "Handling notification responses from APNs": a failed request's body is
 * `{"reason": "<code>"}`, plus `timestamp` (ms) for 410 Unregistered.
 */
export function readApnsReason(body: string): { reason: string | undefined; timestamp: number | undefined } {
  try {
    const json = JSON.parse(body) as { reason?: unknown; timestamp?: unknown };
    return { reason: typeof json.reason === 'string' ? json.reason : undefined, timestamp: typeof json.timestamp === 'number' ? json.timestamp : undefined };
  } catch {
    return { reason: undefined, timestamp: undefined };
  }
}

/** 400 reasons that mean the token will never work for this app: prune it. */
const GONE_400 = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic']);
/** 403 reasons about the provider token: sign a new one (once), then give up. */
const PROVIDER_TOKEN_403 = new Set(['ExpiredProviderToken', 'InvalidProviderToken', 'MissingProviderToken']);

/** Whether the answer refused our provider token, so a freshly signed one may pass. */
export function isProviderTokenRefusal(status: number, body: string): boolean {
  return status === 403 && PROVIDER_TOKEN_403.has(readApnsReason(body).reason ?? '');
}

/** An APNs answer as an outcome; decided from the status and Apple's reason code. */
export function mapApnsResponse(status: number, headers: Record<string, string>, body: string, now: number, retryMax: number): Outcome {
  if (status === 200) return { kind: 'delivered', status };
  const { reason: code, timestamp } = readApnsReason(body);
  const reason = code ?? `HTTP ${status}`;
  // 410 Unregistered (the app was removed or notifications turned off; `timestamp` says
  // since when) and ExpiredToken: the device will not get anything on this token again.
  if (status === 410) return { kind: 'gone', status, reason: timestamp !== undefined ? `${reason} since ${new Date(timestamp).toISOString()}` : reason };
  if (status === 400 && code !== undefined && GONE_400.has(code)) return { kind: 'gone', status, reason };
  // TooManyRequests (this device gets too many) and TooManyProviderTokenUpdates: slow down.
  if (status === 429) return { kind: 'throttled', status, reason, afterMs: parseRetryAfter(headers['retry-after'], now, retryMax) };
  if (status >= 500) return { kind: 'retry', status, reason, afterMs: parseRetryAfter(headers['retry-after'], now, retryMax) };
  // A provider token refused again after a fresh one: the team key is wrong or revoked.
  if (status === 403 && code !== undefined && PROVIDER_TOKEN_403.has(code)) return { kind: 'rejected', status, reason, fault: 'credentials' };
  // 413 PayloadTooLarge, other 403s and every other 4xx:
  // the request is wrong and sending it again would get the same answer.
  return { kind: 'rejected', status, reason };
}
