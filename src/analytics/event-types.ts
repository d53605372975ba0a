/**
 * What a browser reports. The opt-in steps come from the page (the SDK's soft-ask and the
 * browser's permission prompt); the notification events come from the service worker.
 */
export const OPT_IN_EVENTS = [
  'prompt_shown',
  'softask_accepted',
  'softask_dismissed',
  'permission_granted',
  'permission_denied',
  'subscribed',
  'unsubscribed',
] as const;

/** Each is about one notification shown on one subscription's device. */
export const NOTIFICATION_EVENTS = ['displayed', 'clicked', 'dismissed'] as const;

export const EVENT_TYPES = [...OPT_IN_EVENTS, ...NOTIFICATION_EVENTS] as const;

export type OptInEventType = (typeof OPT_IN_EVENTS)[number];
export type NotificationEventType = (typeof NOTIFICATION_EVENTS)[number];
export type EventType = (typeof EVENT_TYPES)[number];

export function isNotificationEvent(type: EventType): type is NotificationEventType {
  return (NOTIFICATION_EVENTS as readonly string[]).includes(type);
}

/** Most events one report may carry: a browser sends what it saw since its last report. */
export const MAX_EVENTS_PER_REPORT = 100;
