import type { ActivityType } from '../store/schema.ts';

/**
 * The webhook event type of each activity type (docs/webhooks.md#event-types): what
 * happened to a notification, or to a subscription. Names follow Standard Webhooks'
 * advice of a dotted `resource.event` form.
 */
export const EVENT_OF_ACTIVITY: Readonly<Record<ActivityType, string>> = {
  sent: 'notification.sent',
  delivered: 'notification.delivered',
  failed: 'notification.failed',
  capped: 'notification.capped',
  suppressed: 'notification.suppressed',
  displayed: 'notification.displayed',
  clicked: 'notification.clicked',
  dismissed: 'notification.dismissed',
  converted: 'notification.converted',
  pruned: 'subscription.pruned',
  opted_in: 'subscription.opted_in',
  opted_out: 'subscription.opted_out',
};

/** Sent to an app's other endpoints when Carillon disables one (it answered 410, or failed for too long). */
export const ENDPOINT_DISABLED = 'webhook.endpoint_disabled';

/** Push sign-in approval and one-time codes (docs/mfa.md#webhooks), emitted by src/mfa/ as each challenge and code changes. */
export const MFA_EVENT_TYPES = [
  'mfa.challenge.created',
  'mfa.challenge.approved',
  'mfa.challenge.denied',
  'mfa.challenge.expired',
  'mfa.challenge.locked',
  'mfa.fraud_reported',
  'mfa.otp.created',
  'mfa.otp.verified',
  'mfa.otp.failed',
  'mfa.otp.expired',
  'mfa.otp.locked',
] as const;
export type MfaEventType = (typeof MFA_EVENT_TYPES)[number];

/** Conversations (docs/conversations.md#the-webhook-assistant): a user's reply with the thread's history, for the app's server to answer. */
export const CONVERSATION_EVENT_TYPES = ['conversation.message'] as const;
export type ConversationEventType = (typeof CONVERSATION_EVENT_TYPES)[number];

/** Every type an endpoint may ask for. */
export const WEBHOOK_EVENT_TYPES = [...Object.values(EVENT_OF_ACTIVITY), ENDPOINT_DISABLED, ...MFA_EVENT_TYPES, ...CONVERSATION_EVENT_TYPES] as const;

/** The activity types behind a list of event types; undefined (all) when the list is null. */
export function activityTypesFor(events: readonly string[] | null): ActivityType[] | undefined {
  if (events === null) return undefined;
  return (Object.keys(EVENT_OF_ACTIVITY) as ActivityType[]).filter((a) => events.includes(EVENT_OF_ACTIVITY[a]));
}

/** Whether an endpoint with this list wants the event type. */
export function wants(events: readonly string[] | null, type: string): boolean {
  return events === null || events.includes(type);
}
