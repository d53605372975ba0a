/**
 * The FCM simulator's check of a send request's shape, as Google's API front end does it
 * from the Message protobuf ("REST Resource: projects.messages"): unknown fields, wrong
 * types and bad enum values are INVALID_ARGUMENT with a BadRequest field violation.
 */

export interface FieldViolation {
  field: string;
  description: string;
}

const MESSAGE = new Set(['name', 'data', 'notification', 'android', 'webpush', 'apns', 'fcm_options', 'token', 'topic', 'condition']);
const NOTIFICATION = new Set(['title', 'body', 'image']);
const ANDROID = new Set(['collapse_key', 'priority', 'ttl', 'restricted_package_name', 'data', 'notification', 'fcm_options', 'direct_boot_ok', 'bandwidth_constrained_ok', 'restricted_satellite_ok']);
const ANDROID_NOTIFICATION = new Set([
  'title', 'body', 'icon', 'color', 'sound', 'tag', 'click_action', 'body_loc_key', 'body_loc_args', 'title_loc_key', 'title_loc_args',
  'channel_id', 'ticker', 'sticky', 'event_time', 'local_only', 'notification_priority', 'default_sound', 'default_vibrate_timings',
  'default_light_settings', 'vibrate_timings', 'visibility', 'notification_count', 'light_settings', 'image', 'bypass_proxy_notification', 'proxy',
]);
const NOTIFICATION_PRIORITIES = new Set(['PRIORITY_UNSPECIFIED', 'PRIORITY_MIN', 'PRIORITY_LOW', 'PRIORITY_DEFAULT', 'PRIORITY_HIGH', 'PRIORITY_MAX']);
const VISIBILITIES = new Set(['VISIBILITY_UNSPECIFIED', 'PRIVATE', 'PUBLIC', 'SECRET']);
/** Google: the payload of most messages is limited to 4096 bytes, keys and values. */
const MAX_PAYLOAD = 4096;

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownField(obj: Record<string, unknown>, known: Set<string>, at: string): FieldViolation | undefined {
  const extra = Object.keys(obj).find((k) => !known.has(k));
  return extra === undefined ? undefined : { field: at, description: `Invalid JSON payload received. Unknown name "${extra}" at '${at}': Cannot find field.` };
}

function stringMap(v: unknown, at: string): FieldViolation | undefined {
  if (!isObject(v)) return { field: at, description: `Invalid value at '${at}', expected a map of strings` };
  const entries = Object.entries(v);
  const i = entries.findIndex(([, value]) => typeof value !== 'string');
  if (i >= 0) return { field: `${at}[${i}].value`, description: `Invalid value at '${at}[${i}].value' (TYPE_STRING), ${JSON.stringify(entries[i]![1])}` };
  const reserved = entries.find(([k]) => ['from', 'message_type', 'notification'].includes(k.toLowerCase()) || /^(google|gcm)/i.test(k));
  if (reserved) return { field: at, description: `Invalid data payload key: ${reserved[0]}` };
  return undefined;
}

/** The first field violation of a send request body, or undefined when it is well formed. */
export function checkMessage(body: unknown): FieldViolation | undefined {
  if (!isObject(body)) return { field: '', description: 'Invalid JSON payload received. Expected an object.' };
  const top = unknownField(body, new Set(['message', 'validate_only']), '');
  if (top) return top;
  const m = body.message;
  if (!isObject(m)) return { field: 'message', description: 'message is required' };
  const bad = unknownField(m, MESSAGE, 'message');
  if (bad) return bad;
  const targets = ['token', 'topic', 'condition'].filter((k) => m[k] !== undefined);
  if (targets.length !== 1) return { field: 'message', description: 'Exactly one of token, topic or condition must be set' };
  if (m.notification !== undefined) {
    if (!isObject(m.notification)) return { field: 'message.notification', description: 'Invalid value at message.notification' };
    const n = unknownField(m.notification, NOTIFICATION, 'message.notification');
    if (n) return n;
    for (const k of Object.keys(m.notification)) {
      if (typeof m.notification[k] !== 'string') return { field: `message.notification.${k}`, description: `Invalid value at 'message.notification.${k}' (TYPE_STRING)` };
    }
  }
  if (m.data !== undefined) {
    const d = stringMap(m.data, 'message.data');
    if (d) return d;
  }
  if (m.android !== undefined) {
    const a = m.android;
    if (!isObject(a)) return { field: 'message.android', description: 'Invalid value at message.android' };
    const u = unknownField(a, ANDROID, 'message.android');
    if (u) return u;
    if (a.priority !== undefined && a.priority !== 'NORMAL' && a.priority !== 'HIGH') return { field: 'message.android.priority', description: `Invalid value at 'message.android.priority' (type.googleapis.com/google.firebase.fcm.v1.AndroidMessagePriority), "${a.priority}"` };
    if (a.ttl !== undefined && (typeof a.ttl !== 'string' || !/^\d+(\.\d{1,9})?s$/.test(a.ttl) || parseFloat(a.ttl) > 2_419_200)) {
      return { field: 'message.android.ttl', description: `Invalid value at 'message.android.ttl' (type.googleapis.com/google.protobuf.Duration), ${JSON.stringify(a.ttl)}` };
    }
    if (a.collapse_key !== undefined && typeof a.collapse_key !== 'string') return { field: 'message.android.collapse_key', description: 'Invalid value at message.android.collapse_key (TYPE_STRING)' };
    if (a.data !== undefined) {
      const d = stringMap(a.data, 'message.android.data');
      if (d) return d;
    }
    if (a.notification !== undefined) {
      const n = a.notification;
      if (!isObject(n)) return { field: 'message.android.notification', description: 'Invalid value at message.android.notification' };
      const un = unknownField(n, ANDROID_NOTIFICATION, 'message.android.notification');
      if (un) return un;
      if (n.notification_priority !== undefined && !NOTIFICATION_PRIORITIES.has(n.notification_priority)) return { field: 'message.android.notification.notification_priority', description: 'Invalid enum value' };
      if (n.visibility !== undefined && !VISIBILITIES.has(n.visibility)) return { field: 'message.android.notification.visibility', description: 'Invalid enum value' };
      if (n.notification_count !== undefined && !Number.isInteger(n.notification_count)) return { field: 'message.android.notification.notification_count', description: 'Invalid value (TYPE_INT32)' };
      for (const k of ['title', 'body', 'sound', 'tag', 'click_action', 'channel_id', 'image', 'icon', 'color'] as const) {
        if (n[k] !== undefined && typeof n[k] !== 'string') return { field: `message.android.notification.${k}`, description: `Invalid value at 'message.android.notification.${k}' (TYPE_STRING)` };
      }
    }
  }
  const payload = Buffer.byteLength(JSON.stringify({ notification: m.notification, data: m.data, android: { notification: m.android?.notification, data: m.android?.data } }));
  if (payload > MAX_PAYLOAD) return { field: 'message', description: `Message is too big: ${payload} bytes of payload, the limit is ${MAX_PAYLOAD}` };
  return undefined;
}
