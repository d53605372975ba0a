import type { Generated } from 'kysely';

/** The audience's tables (src/audience/): users, their attributes, events and preferences, segments. */
/** A user of an app, known by the id the site gives it (src/audience/). */
export interface UsersTable {
  /** Keyset order; never exposed. */
  seq: Generated<number>;
  app_id: string;
  /** The site's own id for the user; subscriptions.user_id refers to it. */
  external_id: string;
  /** BCP 47 language tag, as given (fr-CA). */
  language: string | null;
  /** IANA time zone name. */
  timezone: string | null;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string | null;
  lat: number | null;
  lon: number | null;
  /** JSON object of the custom attributes as the API returns them; indexed row by row in user_attributes. */
  attributes: Generated<string>;
  created_at: number;
  updated_at: number;
  last_seen_at: number | null;
  session_count: Generated<number>;
  /** JSON {start, end}: the user's own quiet hours, replacing the app's; null for the app's. */
  quiet_hours: string | null;
}

export type AttributeType = 'string' | 'number' | 'boolean' | 'time';

/** One custom attribute of one user, typed, for segment queries. */
export interface UserAttributesTable {
  user_seq: number;
  app_id: string;
  key: string;
  type: AttributeType;
  /** Strings. */
  str: string | null;
  /** Numbers, times (unix ms) and booleans (0 or 1). */
  num: number | null;
}

/** Something a user did, reported with /track; kept for the operator's retention. */
export interface UserEventsTable {
  seq: Generated<number>;
  app_id: string;
  user_seq: number;
  name: string;
  /** When it happened (unix ms). */
  at: number;
  /** JSON object of the event's properties. */
  properties: Generated<string>;
  /** The sender's id: an event with an id already stored is a duplicate. */
  event_id: string | null;
  received_at: number;
}

/** A category of notification a user turned on or off; no row means on. */
export interface UserPreferencesTable {
  user_seq: number;
  app_id: string;
  category: string;
  /** 1 on, 0 off. */
  enabled: number;
  updated_at: number;
}

/** An audience filter saved under an id (src/audience/segments/). */
export interface SegmentsTable {
  /** seg_... */
  id: string;
  app_id: string;
  name: string;
  /** JSON: the filter as validated, its `{"segment"}` references kept (expanded when used). */
  filter: string;
  created_at: number;
  updated_at: number;
}

/** A segment named by another segment's filter: one row per (segment, segment it names). */
export interface SegmentReferencesTable {
  segment_id: string;
  app_id: string;
  referenced_id: string;
}
