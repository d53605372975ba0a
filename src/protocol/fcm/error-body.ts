/**
 * FCM's error answers are Google API errors (AIP-193): `{ error: { code, message,
 * status, details: [...] } }`. The FCM error code, the part to act on, is in a detail of
 * type `google.firebase.fcm.v1.FcmError`; a detail of type `google.rpc.BadRequest` lists
 * the fields at fault (Google, "FCM error codes" and "ErrorCode").
 */

export const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
export const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

/** Google's documented FCM error codes ("ErrorCode" enum of the HTTP v1 API). */
export type FcmErrorCode =
  | 'UNSPECIFIED_ERROR'
  | 'INVALID_ARGUMENT'
  | 'UNREGISTERED'
  | 'SENDER_ID_MISMATCH'
  | 'QUOTA_EXCEEDED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'THIRD_PARTY_AUTH_ERROR';

export interface FcmError {
  /** HTTP status as the body states it. */
  code: number;
  /** google.rpc.Code name: INVALID_ARGUMENT, NOT_FOUND, UNAUTHENTICATED, ... */
  status: string;
  message: string;
  /** From the FcmError detail, when there is one. */
  errorCode: string | undefined;
  fieldViolations: { field: string; description: string }[];
}

/** Reads an error body; undefined when it is not a Google API error. */
export function parseFcmError(body: string): FcmError | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = (json as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as Record<string, unknown>;
  const details = Array.isArray(e.details) ? (e.details as Record<string, unknown>[]) : [];
  let errorCode: string | undefined;
  const fieldViolations: FcmError['fieldViolations'] = [];
  for (const d of details) {
    if (typeof d !== 'object' || d === null) continue;
    if (d['@type'] === FCM_ERROR_TYPE && typeof d.errorCode === 'string') errorCode = d.errorCode;
    if (d['@type'] === BAD_REQUEST_TYPE && Array.isArray(d.fieldViolations)) {
      for (const v of d.fieldViolations as Record<string, unknown>[]) {
        if (typeof v?.field === 'string') fieldViolations.push({ field: v.field, description: typeof v.description === 'string' ? v.description : '' });
      }
    }
  }
  return {
    code: typeof e.code === 'number' ? e.code : 0,
    status: typeof e.status === 'string' ? e.status : '',
    message: typeof e.message === 'string' ? e.message : '',
    errorCode,
    fieldViolations,
  };
}

/** The body FCM answers with, for the simulator and tests: same shape as Google's. */
export function fcmErrorBody(code: number, status: string, message: string, errorCode?: FcmErrorCode, fieldViolations: { field: string; description: string }[] = []): string {
  const details: Record<string, unknown>[] = [];
  if (errorCode) details.push({ '@type': FCM_ERROR_TYPE, errorCode });
  if (fieldViolations.length) details.push({ '@type': BAD_REQUEST_TYPE, fieldViolations });
  return JSON.stringify({ error: { code, message, status, ...(details.length ? { details } : {}) } });
}
