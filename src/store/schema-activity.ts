import type { Generated } from 'kysely';

/** The activity log's table (migration 015, src/store/activity-log.ts); part of `Database` in schema.ts. */

/**
 * Every outcome the log records. `sent`: handed to the push service and accepted;
 * `delivered`: the push service confirmed it reached the device (Carillon's own push
 * service) or, where no confirmation exists, accepted it; `failed`: refused or given up;
 * `pruned`: the subscription was removed because the push service said it is gone;
 * `capped` and `suppressed`: left out by a frequency cap or a preference; `displayed`,
 * `clicked`, `dismissed`: reported by the SDK; `opted_in` and `opted_out`: a subscription
 * made, or a permission revoked or unsubscribed; `converted`: a user's conversion event
 * after a click or a display.
 */
export const ACTIVITY_TYPES = ['sent', 'delivered', 'failed', 'pruned', 'capped', 'suppressed', 'displayed', 'clicked', 'dismissed', 'opted_in', 'opted_out', 'converted'] as const;

export type ActivityType = (typeof ACTIVITY_TYPES)[number];

export interface ActivityTable {
  /** The log's order: appended in the transaction of the outcome, so readers past a cursor miss nothing committed. */
  seq: Generated<number>;
  app_id: string;
  type: ActivityType;
  /** When it happened (unix ms). */
  at: number;
  notification_id: string | null;
  campaign_id: string | null;
  variant: string | null;
  category: string | null;
  /** webpush, apns, fcm. */
  channel: string | null;
  subscription_id: string | null;
  /** The user's external id, as the app knows it. */
  user_id: string | null;
  /** The action button of a click; null for the notification itself. */
  action: string | null;
  /** A conversion's revenue, from the event's `value` property. */
  value: number | null;
  /** JSON object: what explains the outcome (status code, reason, conversion kind). Never a secret or content. */
  data: string | null;
  /** 1 on a click of a recipient who had clicked the notification already (another button; migration 025): logged, not counted again in `clicked`. */
  repeated: Generated<number>;
  /** A click's button as counted (`clicked:<action>` rollups): `action` when the notification names that button, else null (migration 025). */
  counted_action: Generated<string | null>;
}
