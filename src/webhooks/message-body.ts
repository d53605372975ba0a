import type { LoggedActivity } from '../store/activity-log.ts';
import { EVENT_OF_ACTIVITY } from './event-types.ts';

/** One event as a webhook carries it (docs/webhooks.md#bodies): Standard Webhooks' `{type, timestamp, data}`. */
export interface WebhookEvent {
  type: string;
  /** RFC 3339: when it happened. */
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * The event of one activity row. Fields that do not apply to it (a subscription event has
 * no campaign) are left out rather than null; `details` is the row's own explanation
 * (a failure's status and reason, a conversion's kind), never content or secrets.
 */
export function activityEvent(a: LoggedActivity): WebhookEvent {
  const data: Record<string, unknown> = { seq: a.seq, appId: a.appId };
  const fields = {
    notificationId: a.notificationId,
    campaignId: a.campaignId,
    variant: a.variant,
    category: a.category,
    channel: a.channel,
    subscriptionId: a.subscriptionId,
    userId: a.userId,
    action: a.action,
    value: a.value,
    details: a.data,
  };
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== undefined) data[k] = v;
  return { type: EVENT_OF_ACTIVITY[a.type], timestamp: new Date(a.at).toISOString(), data };
}

/** Several events in one request (an endpoint's `batchSize` above 1): `{type: "batch", timestamp, data: [events]}`. */
export function batchBody(events: readonly WebhookEvent[], now: number): string {
  return JSON.stringify({ type: 'batch', timestamp: new Date(now).toISOString(), data: events });
}
