/**
 * FCM HTTP v1 messages (Google, "REST Resource: projects.messages"):
 * POST /v1/projects/{project}/messages:send with `{ message: { token, notification,
 * data, android } }`. Pure: the same input gives the same JSON.
 */

/**
 * Google ("ErrorCode", INVALID_ARGUMENT): "the total size of the payload data included in
 * a message" must not exceed 4096 bytes, keys and values.
 */
export const MAX_FCM_PAYLOAD_BYTES = 4096;

/** Google ("ErrorCode", INVALID_ARGUMENT): data keys FCM uses itself, and so refuses. */
const RESERVED_DATA_KEYS = new Set(['from', 'message_type', 'notification']);
const RESERVED_DATA_PREFIXES = ['google', 'gcm'];

export function isReservedDataKey(key: string): boolean {
  const lower = key.toLowerCase();
  return RESERVED_DATA_KEYS.has(lower) || RESERVED_DATA_PREFIXES.some((p) => lower.startsWith(p));
}

/** AndroidMessagePriority: HIGH wakes a dozing device at once; NORMAL may wait for a maintenance window. */
export type AndroidPriority = 'HIGH' | 'NORMAL';
/** AndroidNotification.NotificationPriority. */
export type AndroidNotificationPriority = 'PRIORITY_MIN' | 'PRIORITY_LOW' | 'PRIORITY_DEFAULT' | 'PRIORITY_HIGH' | 'PRIORITY_MAX';

export interface AndroidNotificationInput {
  tag?: string;
  sound?: string;
  clickAction?: string;
  notificationCount?: number;
  notificationPriority?: AndroidNotificationPriority;
  channelId?: string;
  visibility?: 'PRIVATE' | 'PUBLIC' | 'SECRET';
}

export interface FcmMessageInput {
  token: string;
  /** Absent for a data message, which the app handles itself (no system notification). */
  notification?: { title: string; body?: string; image?: string };
  /** FCM accepts only string values. */
  data?: Record<string, string>;
  android: {
    /** s; 0 means now or never. */
    ttlSeconds: number;
    priority: AndroidPriority;
    collapseKey?: string | null;
    notification?: AndroidNotificationInput;
  };
  /** Members merged into `message.android` (and its `notification`) as given; they win. */
  androidOverrides?: Record<string, unknown>;
}

/** A protobuf Duration in JSON: seconds with an `s` suffix ("3.5s"). */
export function fcmDuration(seconds: number): string {
  return `${Math.max(0, Math.floor(seconds))}s`;
}

export function sendPath(projectId: string): string {
  return `/v1/projects/${encodeURIComponent(projectId)}/messages:send`;
}

/**
 * @example
 *   buildFcmMessage({ token, notification: { title: 'Hi' }, data: { id: 'ntf_1' }, android: { ttlSeconds: 60, priority: 'HIGH' } })
 */
export function buildFcmMessage(input: FcmMessageInput): { message: Record<string, unknown> } {
  const message: Record<string, unknown> = { token: input.token };
  if (input.notification) {
    const n: Record<string, unknown> = { title: input.notification.title };
    if (input.notification.body !== undefined) n.body = input.notification.body;
    if (input.notification.image !== undefined) n.image = input.notification.image;
    message.notification = n;
  }
  if (input.data && Object.keys(input.data).length > 0) message.data = input.data;
  const android: Record<string, unknown> = { ttl: fcmDuration(input.android.ttlSeconds), priority: input.android.priority };
  if (input.android.collapseKey) android.collapse_key = input.android.collapseKey;
  const an = input.android.notification;
  if (an) {
    const n: Record<string, unknown> = {};
    if (an.tag !== undefined) n.tag = an.tag;
    if (an.sound !== undefined) n.sound = an.sound;
    if (an.clickAction !== undefined) n.click_action = an.clickAction;
    if (an.notificationCount !== undefined) n.notification_count = an.notificationCount;
    if (an.notificationPriority !== undefined) n.notification_priority = an.notificationPriority;
    if (an.channelId !== undefined) n.channel_id = an.channelId;
    if (an.visibility !== undefined) n.visibility = an.visibility;
    if (Object.keys(n).length > 0) android.notification = n;
  }
  message.android = mergeObjects(android, input.androidOverrides ?? {});
  return { message };
}

/**
 * The size Carillon holds against MAX_FCM_PAYLOAD_BYTES: the JSON of what the device
 * receives (notification, data, and their Android forms), not the delivery options
 * (token, ttl, priority, collapse_key), which FCM does not count either.
 */
export function fcmPayloadBytes(body: { message: Record<string, unknown> }): number {
  const m = body.message;
  const android = (m.android ?? {}) as Record<string, unknown>;
  return Buffer.byteLength(JSON.stringify({ notification: m.notification, data: m.data, android: { notification: android.notification, data: android.data } }));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge member by member; anything else in `over` replaces what is in `base`. */
function mergeObjects(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeObjects(b, v) : v;
  }
  return out;
}
