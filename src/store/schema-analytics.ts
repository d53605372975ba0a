/** The analytics tables (migration 016, src/analytics/); part of `Database` in schema.ts. */

/** The activity log counted per hour and dimension; '' for an absent dimension. */
export interface ActivityRollupsTable {
  app_id: string;
  /** Start of the UTC hour (unix ms). */
  hour: number;
  /** An activity type, or an SDK opt-in step (prompt_shown, permission_granted, ...). */
  type: string;
  campaign_id: string;
  notification_id: string;
  variant: string;
  category: string;
  channel: string;
  count: number;
  value_sum: number;
}

/** When a user first displayed and clicked a notification that names conversion events. */
export interface ConversionTouchesTable {
  notification_id: string;
  /** The user's external id. */
  user_id: string;
  app_id: string;
  campaign_id: string | null;
  variant: string | null;
  category: string | null;
  channel: string | null;
  subscription_id: string | null;
  displayed_at: number | null;
  clicked_at: number | null;
  /** Set once the recipient's conversion is counted: each recipient converts once. */
  converted_at: number | null;
}

/** The rollups summed per app, hour and type: an app's overall series. */
export interface ActivityTotalsTable {
  app_id: string;
  hour: number;
  type: string;
  count: number;
  value_sum: number;
}

/** Who has clicked what (migration 025): the first click report of a recipient takes the row, so a click counts once per recipient. */
export interface RecipientClicksTable {
  notification_id: string;
  subscription_id: string;
  /** When the first click happened. */
  at: number;
}
