import { ApiError } from './api-error.ts';
import type { ErrorCode } from './catalogue.ts';

/**
 * The one map from the protocol code's typed errors (src/protocol/{webpush,apns,fcm}/
 * errors.ts, by their stable `code`) to the catalogue: input that breaks a standard's rule
 * is refused with the same API code wherever it comes in. Keyed by the code string, so the
 * errors floor needs nothing from the protocol floor; protocol-errors.test.ts holds every
 * key to a real error class. Protocol errors not listed here are not the client's to fix
 * (a stored VAPID key that does not open) and stay internal errors.
 */
export const PROTOCOL_ERRORS: Readonly<Record<string, ErrorCode>> = {
  'webpush.invalid_key': 'invalid_subscription_keys',
  'webpush.invalid_auth_secret': 'invalid_subscription_keys',
  'webpush.invalid_topic': 'invalid_topic',
  'vapid.invalid_subject': 'invalid_vapid_subject',
  'apns.invalid_device_token': 'invalid_device_token',
  'apns.invalid_key': 'credentials_invalid',
  'fcm.invalid_service_account': 'credentials_invalid',
};

export interface FromProtocolErrorOptions {
  /** Where the input came in; prefixes the detail (`keys.p256dh: ...`). */
  field?: string;
  /** Members added to the problem object. */
  extra?: Record<string, unknown>;
}

/**
 * The ApiError for an error of the protocol code listed in PROTOCOL_ERRORS; any other
 * error is returned as it is, so the caller rethrows whatever this gives back.
 * @example try { parseAuthSecret(auth); } catch (err) { throw fromProtocolError(err, { field: 'keys.auth' }); }
 */
export function fromProtocolError(err: unknown, opts: FromProtocolErrorOptions = {}): unknown {
  if (!(err instanceof Error)) return err;
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || !Object.hasOwn(PROTOCOL_ERRORS, code)) return err;
  return new ApiError(PROTOCOL_ERRORS[code]!, opts.field !== undefined ? `${opts.field}: ${err.message}` : err.message, opts.extra);
}
