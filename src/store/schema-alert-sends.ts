/** Sending civic alerts (migration 027, src/alerts/send/); part of `Database` in schema.ts. */

export type AlertNotificationKind = 'alert' | 'all_clear';

export interface AlertNotificationsTable {
  alert_id: string;
  app_id: string;
  notification_id: string;
  kind: AlertNotificationKind;
  /** The collapse key shared by an alert and its Updates and Cancel (tag, Topic, apns-collapse-id, collapse_key). */
  thread: string;
  /** 1: users without a location are reached too (a wide alert, the operator's choice). */
  include_unlocated: number;
  created_at: number;
}

export interface AlertSettingsTable {
  app_id: string;
  /** 1: the app's APNs credentials carry Apple's critical-alert entitlement. */
  apns_critical_alerts: number;
  /** 1: the public page and its Atom feed are served (public-alerts.ts). */
  public_page: number;
  /** CAP `<category>` to the app's category its alerts go in, a JSON object, or null: all in `civic` (migration 051). */
  categories: string | null;
  updated_at: number;
}
