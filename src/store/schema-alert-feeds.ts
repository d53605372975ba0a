/** The tables of alert feeds, settings, geocode tables and shared positions (migration 028, src/alerts/); part of `Database` in schema.ts. */

/** What the last poll of a feed came to; docs/civic-alerts.md#connecting-a-cap-feed. */
export const FEED_STATUSES = ['pending', 'ok', 'not_modified', 'failed'] as const;
export type FeedStatus = (typeof FEED_STATUSES)[number];

/** Whom a feed's alerts reach (docs/civic-alerts.md#connecting-a-cap-feed). */
export const FEED_REACHES = ['area', 'area_and_unlocated'] as const;
export type FeedReach = (typeof FEED_REACHES)[number];

export interface AlertFeedsTable {
  /** afd_... */
  id: string;
  app_id: string;
  url: string;
  /** s between polls when the feed answers. */
  interval_s: number;
  /** Whom its alerts reach: `area`, or `area_and_unlocated` (users without a location too), as `?reach=` on a posted alert (migration 050). */
  reach: FeedReach;
  /** The last answer's ETag, sent back as If-None-Match (RFC 9110 §13.1.2). */
  etag: string | null;
  /** The last answer's Last-Modified, sent back as If-Modified-Since (RFC 9110 §13.1.3). */
  last_modified: string | null;
  /** JSON array of the entry keys read from the last document. */
  seen_entries: string;
  status: FeedStatus;
  /** Polls failed in a row; 0 after a success. */
  failures: number;
  error_code: string | null;
  error_detail: string | null;
  last_poll_at: number | null;
  last_success_at: number | null;
  next_poll_at: number;
  /** Counts the polls scheduled; the due poll's job carries it. */
  poll_seq: number;
  /** CAP messages the last document held. */
  last_entries: number;
  /** Alerts this feed stored first (an alert another feed brought first is not counted). */
  alerts_received: number;
  created_at: number;
  updated_at: number;
}

export interface AlertGeocodeTablesTable {
  app_id: string;
  /** Upper-cased, as zone keys are (`SAME`). */
  value_name: string;
  /** The feature property the code was read from. */
  code_property: string;
  codes: number;
  /** Size of the uploaded document. */
  bytes: number;
  created_at: number;
}

export interface AlertGeocodesTable {
  app_id: string;
  value_name: string;
  code: string;
  /** JSON of the GeoJSON Polygon or MultiPolygon (`[lon, lat]` positions). */
  geometry: string;
  min_lon: number;
  min_lat: number;
  max_lon: number;
  max_lat: number;
}

export interface UserAlertLocationsTable {
  app_id: string;
  external_id: string;
  lat: number;
  lon: number;
  /** m, as the browser reported (GeolocationCoordinates.accuracy); null when not given. */
  accuracy_m: number | null;
  updated_at: number;
}
