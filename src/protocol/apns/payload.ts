/**
 * The APNs JSON payload: Apple's `aps` dictionary plus the app's own top-level keys
 * (Apple, "Generating a remote notification"; "Payload key reference").
 * Pure: the same input gives the same bytes.
 */

/** Apple: 4096 bytes for a regular remote notification (5120 for VoIP, not sent here). */
export const MAX_APNS_PAYLOAD_BYTES = 4096;

/**
 * `interruption-level` (iOS 15): passive (no sound, no wake), active (the default),
 * time-sensitive (breaks through Focus), critical (plays even when muted; needs Apple's
 * critical-alerts entitlement).
 */
export const INTERRUPTION_LEVELS = ['passive', 'active', 'time-sensitive', 'critical'] as const;
export type InterruptionLevel = (typeof INTERRUPTION_LEVELS)[number];

export interface ApnsAlertInput {
  title: string;
  subtitle?: string;
  body?: string;
}

/** What goes into `aps`, in Carillon's words; `buildApnsPayload` gives Apple's keys. */
export interface ApnsPayloadInput {
  /** Absent for a background (silent) notification. */
  alert?: ApnsAlertInput;
  /** A sound file in the app bundle or "default". */
  sound?: string;
  badge?: number;
  threadId?: string;
  category?: string;
  /** Lets a notification service extension change the content (download an image) before display. */
  mutableContent?: boolean;
  /** Wakes the app in the background (`content-available: 1`). */
  contentAvailable?: boolean;
  interruptionLevel?: InterruptionLevel;
  /** Extra `aps` keys Carillon does not model (relevance-score, target-content-id, ...); they win. */
  aps?: Record<string, unknown>;
}

/**
 * @example
 *   buildApnsPayload({ alert: { title: 'Hi' }, sound: 'default' }, { id: 'ntf_1' })
 *   // → { aps: { alert: { title: 'Hi' }, sound: 'default' }, id: 'ntf_1' }
 */
export function buildApnsPayload(input: ApnsPayloadInput, custom: Record<string, unknown> = {}): Record<string, unknown> {
  const aps: Record<string, unknown> = {};
  if (input.alert) {
    const alert: Record<string, unknown> = { title: input.alert.title };
    if (input.alert.subtitle !== undefined) alert.subtitle = input.alert.subtitle;
    if (input.alert.body !== undefined) alert.body = input.alert.body;
    aps.alert = alert;
  }
  if (input.badge !== undefined) aps.badge = input.badge;
  if (input.sound !== undefined) {
    // "Payload key reference", sound: a critical alert names its sound in a dictionary
    // with `critical: 1`, or the system plays it at the normal, mutable level.
    aps.sound = input.interruptionLevel === 'critical' ? { critical: 1, name: input.sound, volume: 1 } : input.sound;
  }
  if (input.threadId !== undefined) aps['thread-id'] = input.threadId;
  if (input.category !== undefined) aps.category = input.category;
  if (input.contentAvailable) aps['content-available'] = 1;
  if (input.mutableContent) aps['mutable-content'] = 1;
  if (input.interruptionLevel !== undefined) aps['interruption-level'] = input.interruptionLevel;
  Object.assign(aps, input.aps);
  // Apple reserves `aps`; the app's keys sit beside it.
  const { aps: _reserved, ...rest } = custom;
  return { aps, ...rest };
}

/** The size APNs compares with its limit: the UTF-8 JSON body. */
export function apnsPayloadBytes(payload: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(payload));
}
