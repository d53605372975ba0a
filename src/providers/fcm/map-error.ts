import { parseRetryAfter } from '../../transport/retry-after.ts';
import { parseFcmError, type FcmError } from '../../protocol/fcm/error-body.ts';
import type { Outcome } from '../outcome.ts';

/** The FCM error code, from the FcmError detail or, lacking one, the HTTP status. */
function errorCodeOf(status: number, e: FcmError | undefined): string {
  if (e?.errorCode && e.errorCode !== 'UNSPECIFIED_ERROR') return e.errorCode;
  switch (status) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return e?.status || 'UNAUTHENTICATED';
    case 403:
      return 'SENDER_ID_MISMATCH';
    case 404:
      return 'UNREGISTERED';
    case 429:
      return 'QUOTA_EXCEEDED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 500 ? 'INTERNAL' : e?.status || `HTTP ${status}`;
  }
}

/**
 * INVALID_ARGUMENT is about the token when a field violation names `message.token`, or
 * when there is none: Google answers a malformed or foreign token with only the FcmError
 * detail ("FCM error codes", example 2), and a wrong field of the message with a
 * BadRequest naming it. Carillon checks sizes and data keys before it sends, so a bare
 * INVALID_ARGUMENT is the token (Google: "If you are certain that the message payload is
 * valid ... it is safe to delete your record of this token").
 */
function isTokenInvalid(e: FcmError | undefined): boolean {
  const fields = e?.fieldViolations ?? [];
  return fields.length === 0 || fields.some((f) => f.field === 'message.token');
}

/** Whether FCM refused our OAuth access token (not the APNs or web credentials behind the app). */
export function isAccessTokenRefusal(status: number, body: string): boolean {
  return status === 401 && parseFcmError(body)?.errorCode !== 'THIRD_PARTY_AUTH_ERROR';
}

/** An FCM answer as an outcome, decided from the status and Google's error code. */
export function mapFcmResponse(status: number, headers: Record<string, string>, body: string, now: number, retryMax: number): Outcome {
  if (status === 200) return { kind: 'delivered', status };
  const e = parseFcmError(body);
  const code = errorCodeOf(status, e);
  const reason = e?.message ? `${code}: ${e.message.replace(/\s+/g, ' ').slice(0, 200)}` : code;
  const afterMs = parseRetryAfter(headers['retry-after'], now, retryMax);
  switch (code) {
    case 'UNREGISTERED':
      return { kind: 'gone', status, reason };
    case 'INVALID_ARGUMENT':
      return isTokenInvalid(e) ? { kind: 'gone', status, reason } : { kind: 'rejected', status, reason };
    case 'QUOTA_EXCEEDED':
      return { kind: 'throttled', status, reason, afterMs };
    case 'UNAVAILABLE':
    case 'INTERNAL':
      return { kind: 'retry', status, reason, afterMs };
  }
  if (status === 429) return { kind: 'throttled', status, reason, afterMs };
  if (status >= 500) return { kind: 'retry', status, reason, afterMs };
  // Our access token refused after a fresh one (401), or the APNs / web credentials the
  // Firebase project holds (THIRD_PARTY_AUTH_ERROR): the app's credentials, not the device.
  if (status === 401 || code === 'THIRD_PARTY_AUTH_ERROR') return { kind: 'rejected', status, reason, fault: 'credentials' };
  // SENDER_ID_MISMATCH (the token belongs to another project), THIRD_PARTY_AUTH_ERROR
  // (the APNs or web credentials in Firebase are wrong), UNAUTHENTICATED after a fresh
  // access token, and any other 4xx: sending again would get the same answer.
  return { kind: 'rejected', status, reason };
}
