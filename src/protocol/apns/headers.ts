/**
 * Request headers of the APNs provider API (Apple, "Sending notification requests to
 * APNs"): POST /3/device/<token> over HTTP/2 with apns-* headers. Pure.
 */
import { createHash } from 'node:crypto';
import { InvalidApnsHeaderError } from './errors.ts';

export const APNS_PRODUCTION_URL = 'https://api.push.apple.com';
export const APNS_SANDBOX_URL = 'https://api.sandbox.push.apple.com';

/** Apple: "The collapse identifier ... must not exceed 64 bytes" (else 400 BadCollapseId). */
export const MAX_COLLAPSE_ID_BYTES = 64;

/** `alert` for anything shown; `background` for content-available only (Apple requires the header since iOS 13). */
export type ApnsPushType = 'alert' | 'background';
/** 10 sends at once; 5 considers the device's power; 1 prioritises power over everything. */
export type ApnsPriority = 10 | 5 | 1;

export interface ApnsHeaderInput {
  /** The app's bundle id. */
  topic: string;
  pushType: ApnsPushType;
  priority: ApnsPriority;
  /** Unix seconds after which APNs drops the message; 0: try once, do not store. */
  expiration: number;
  collapseId?: string | null;
  /** A canonical UUID that identifies the message in APNs' answer and in Apple's delivery log. */
  apnsId: string;
  /** `bearer <provider token>`. */
  authorization: string;
}

export function validateCollapseId(collapseId: string): string {
  if (collapseId === '' || Buffer.byteLength(collapseId) > MAX_COLLAPSE_ID_BYTES) {
    throw new InvalidApnsHeaderError('collapse_id', `apns-collapse-id must be 1 to ${MAX_COLLAPSE_ID_BYTES} bytes`);
  }
  return collapseId;
}

export function buildApnsHeaders(input: ApnsHeaderInput): Record<string, string> {
  if (!input.topic) throw new InvalidApnsHeaderError('topic', 'apns-topic (the bundle id) is required with token authentication');
  const headers: Record<string, string> = {
    authorization: input.authorization,
    'apns-topic': input.topic,
    'apns-push-type': input.pushType,
    'apns-priority': String(input.priority),
    'apns-expiration': String(Math.max(0, Math.floor(input.expiration))),
    'apns-id': input.apnsId,
    'content-type': 'application/json',
  };
  if (input.collapseId) headers['apns-collapse-id'] = validateCollapseId(input.collapseId);
  return headers;
}

/** The `:path` of a notification request. */
export function devicePath(deviceToken: string): string {
  return `/3/device/${deviceToken}`;
}

/**
 * apns-expiration from a time-to-live: a TTL of 0 maps to 0, which Apple defines as
 * "deliver now or never" (the notification is not stored), matching RFC 8030's TTL 0.
 */
export function apnsExpiration(ttlSeconds: number, nowMs: number): number {
  return ttlSeconds > 0 ? Math.floor(nowMs / 1000) + Math.floor(ttlSeconds) : 0;
}

/**
 * A stable apns-id per (notification, device): a retry carries the same id, so Apple's
 * delivery log and our records name one message, not one per attempt. Shaped as a
 * version 4 UUID (random-looking bits, the version and variant nibbles set) so it is a
 * canonical UUID whatever checks APNs applies.
 */
export function apnsIdFor(notificationId: string, subscriptionId: string): string {
  const b = createHash('sha256').update(`${notificationId}/${subscriptionId}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
