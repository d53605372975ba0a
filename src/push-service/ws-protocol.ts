/**
 * The WebSocket protocol Firefox speaks to its push service (`dom.push.serverURL`), as
 * implemented by Firefox's PushServiceWebSocket and Mozilla's autopush: JSON text frames
 * with a `messageType`, on the `push-notification` subprotocol.
 *
 * Pure: parses client frames and builds server frames; no I/O.
 */

/** Firefox opens the socket with this subprotocol. */
export const SUBPROTOCOL = 'push-notification';

/**
 * Close code that tells Firefox not to reconnect on its own (PushServiceWebSocket's
 * kBACKOFF_WS_STATUS_CODE); it comes back on a network change or a new subscription.
 */
export const CLOSE_BACKOFF = 4774;

/** `ack` codes (PushServiceWebSocket kACK_STATUS_TO_CODE). */
export const ACK_DELIVERED = 100;
export const ACK_DECRYPTION_FAILED = 101;
export const ACK_NOT_DELIVERED = 102;

/** Firefox refuses a `hello` reply whose uaid is longer than this. */
export const MAX_UAID_LENGTH = 128;
/** Bounds what one `ack` frame may carry; Firefox sends one update per frame. */
const MAX_ACK_UPDATES = 1000;

export type ClientFrame =
  | { type: 'ping' }
  | { type: 'hello'; uaid: string | null; broadcasts: Record<string, unknown> }
  | { type: 'register'; channelID: string; key: string | null }
  | { type: 'unregister'; channelID: string; code: number | null }
  | { type: 'ack'; updates: AckUpdate[] }
  | { type: 'nack'; version: string; code: number | null }
  | { type: 'broadcast_subscribe'; broadcasts: Record<string, unknown> }
  | { type: 'unknown'; messageType: string };

export interface AckUpdate {
  channelID: string;
  version: string;
  /** 100 delivered, 101 decryption failed, 102 not delivered; 100 when absent. */
  code: number;
}

/** A frame that is not JSON or not shaped like the protocol: the connection is closed. */
export class FrameError extends Error {
  override name = 'FrameError';
}

/**
 * Parses one text frame from the user agent.
 *
 * @example parseClientFrame('{"messageType":"register","channelID":"5f0c…","key":"BCm…="}')
 */
export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError('the frame is not JSON');
  }
  if (!isObject(value)) throw new FrameError('the frame is not a JSON object');
  // Firefox pings with `{}` and treats any frame without a messageType as the pong.
  if (value.messageType === undefined) return { type: 'ping' };
  if (typeof value.messageType !== 'string') throw new FrameError('messageType is not a string');
  const messageType = value.messageType.toLowerCase();
  switch (messageType) {
    case 'ping':
      return { type: 'ping' };
    case 'hello': {
      // Firefox sends its uaid only when it holds subscriptions (bug 1617136); an empty
      // or missing one asks for a new uaid.
      const uaid = typeof value.uaid === 'string' && value.uaid !== '' ? value.uaid : null;
      return { type: 'hello', uaid, broadcasts: isObject(value.broadcasts) ? value.broadcasts : {} };
    }
    case 'register':
      return {
        type: 'register',
        channelID: requireString(value, 'channelID'),
        key: optionalString(value, 'key'),
      };
    case 'unregister':
      return { type: 'unregister', channelID: requireString(value, 'channelID'), code: optionalNumber(value, 'code') };
    case 'ack':
      return { type: 'ack', updates: parseAckUpdates(value.updates) };
    case 'nack':
      return { type: 'nack', version: requireString(value, 'version'), code: optionalNumber(value, 'code') };
    case 'broadcast_subscribe':
      return { type: 'broadcast_subscribe', broadcasts: isObject(value.broadcasts) ? value.broadcasts : {} };
    default:
      return { type: 'unknown', messageType };
  }
}

function parseAckUpdates(updates: unknown): AckUpdate[] {
  if (!Array.isArray(updates)) throw new FrameError('ack needs an updates array');
  if (updates.length > MAX_ACK_UPDATES) throw new FrameError(`ack carries more than ${MAX_ACK_UPDATES} updates`);
  return updates.map((update) => {
    if (!isObject(update)) throw new FrameError('an ack update is not an object');
    return {
      channelID: requireString(update, 'channelID'),
      // autopush sends versions as strings; an integer (the old SimplePush form) is read as text.
      version: typeof update.version === 'number' ? String(update.version) : requireString(update, 'version'),
      code: optionalNumber(update, 'code') ?? ACK_DELIVERED,
    };
  });
}

/** The `hello` reply: `use_webpush` true, or Firefox falls back to the old protocol with empty keys. */
export function helloReply(uaid: string): string {
  return JSON.stringify({ messageType: 'hello', uaid, status: 200, use_webpush: true, broadcasts: {} });
}

/** The `register` reply; Firefox reads `pushEndpoint` only when status is 200. */
export function registerReply(channelID: string, status: number, pushEndpoint?: string): string {
  return JSON.stringify({ messageType: 'register', channelID, status, ...(status === 200 ? { pushEndpoint } : {}) });
}

export function unregisterReply(channelID: string, status: number): string {
  return JSON.stringify({ messageType: 'unregister', channelID, status });
}

/** Answer to a `{}` ping. */
export const PONG = '{}';

export interface NotificationFrameInput {
  channelID: string;
  version: string;
  /** base64url of the whole encrypted body; null for a push without payload. */
  data: string | null;
  encoding: string | null;
}

/**
 * A push message for the user agent. With a body, `data` carries the aes128gcm body
 * (RFC 8291 §4: salt, rs and the sender's key are in the body) and `headers.encoding`
 * names the coding; without one, both are left out and the service worker gets a push
 * event with no data.
 */
export function notificationFrame(message: NotificationFrameInput): string {
  const frame: Record<string, unknown> = { messageType: 'notification', channelID: message.channelID, version: message.version };
  if (message.data !== null) {
    frame.data = message.data;
    frame.headers = { encoding: message.encoding ?? 'aes128gcm' };
  }
  return JSON.stringify(frame);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A channelID in its one stored spelling (lower-case, dashed UUID), or null. Firefox
 * keys its records by the channelID of the `register` reply, so the reply and every
 * later notification use this spelling.
 */
export function canonicalChannelId(text: string): string | null {
  return UUID.test(text) ? text.toLowerCase() : null;
}

const UAID = /^[0-9a-f]{32}$/;

/** True for a uaid as this service hands them out (32 lower-case hex digits). */
export function isUaid(text: string): boolean {
  return UAID.test(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(frame: Record<string, unknown>, field: string): string {
  const value = frame[field];
  if (typeof value !== 'string' || value === '') throw new FrameError(`${field} must be a non-empty string`);
  return value;
}

function optionalString(frame: Record<string, unknown>, field: string): string | null {
  const value = frame[field];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw new FrameError(`${field} must be a string`);
  return value;
}

function optionalNumber(frame: Record<string, unknown>, field: string): number | null {
  const value = frame[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new FrameError(`${field} must be an integer`);
  return value;
}
