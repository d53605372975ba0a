/** The civic alert tables (migration 021, src/alerts/); part of `Database` in schema.ts. */

/** Who an alert is for; docs/civic-alerts.md#who-an-alert-reaches. */
export const ALERT_DISPOSITIONS = ['public', 'testers', 'none', 'archived', 'cancelled', 'replaced'] as const;
export type AlertDisposition = (typeof ALERT_DISPOSITIONS)[number];

export interface AlertsTable {
  id: string;
  app_id: string;
  sender: string;
  identifier: string;
  /** `<sent>` as written. */
  sent: string;
  /** `<sent>` as an instant (unix ms): the identity's third part. */
  sent_at: number;
  status: string;
  msg_type: string;
  scope: string;
  disposition: AlertDisposition;
  /** Why the disposition, for people (`status Draft reaches no one`). */
  reason: string;
  /** The latest `<expires>` of its infos (unix ms); null when one has none. */
  expires_at: number | null;
  cancelled_by: string | null;
  replaced_by: string | null;
  /** JSON of the parsed alert (protocol/cap CapAlert). */
  document: string;
  /** The CAP XML as received; null for the JSON form. */
  cap_xml: string | null;
  received_at: number;
  /**
   * The reach of a send queued and not done yet (`area`, `area_and_unlocated`): the reconcile
   * pass queues it again if the queue lost the job (migration 049). Null once sent, and for
   * alerts that reach no one.
   */
  send_pending: string | null;
}

export interface AlertReferencesTable {
  alert_id: string;
  position: number;
  app_id: string;
  ref_sender: string | null;
  ref_identifier: string;
  ref_sent_at: number | null;
  /** The alert the reference resolved to; null while not seen (a tombstone). */
  target_id: string | null;
}

export interface UserAlertZonesTable {
  app_id: string;
  external_id: string;
  /** A zone key, `VALUENAME:value` (`SAME:006109`). */
  zone: string;
}

/** Users who opted into Exercise and Test alerts (a table of its own: the users table is the audience's). */
export interface AlertTestersTable {
  app_id: string;
  external_id: string;
  opted_in_at: number;
}
