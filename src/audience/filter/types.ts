/**
 * The audience filter language, as JSON (docs/audience.md). These names are shared with the
 * SDK, the dashboard and the docs: they do not change.
 */

export type Scalar = string | number | boolean;

/** Comparisons of a count of events: exactly one of them. */
export const COUNT_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'] as const;
export type CountOp = (typeof COUNT_OPS)[number];

export const OPS = [
  'eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'exists', 'not_exists', 'contains', 'starts_with',
  // Times only.
  'before', 'after', 'within', 'older_than',
] as const;
export type Op = (typeof OPS)[number];

export const CHANNELS = ['webpush', 'apns', 'fcm'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface AndFilter { and: Filter[] }
export interface OrFilter { or: Filter[] }
export interface NotFilter { not: Filter }

/** A built-in field of the user (`language`, `createdAt`...) or one of its custom attributes. */
export interface AttributeFilter {
  attribute: string;
  op: Op;
  /** Absent for exists / not_exists; a list for in / not_in; a duration for within / older_than. */
  value?: Scalar | Scalar[];
}

export interface EventFilter {
  event: string;
  /** One comparison; absent means at least once (`{"gte": 1}`). */
  count?: Partial<Record<CountOp, number>>;
  /** A duration: only events of the last `within` before now count. */
  within?: string;
  /** Properties the event must carry, each equal to the value given (same JSON type). */
  where?: Record<string, Scalar>;
}

/** A tag of a subscription (subscription_tags); tags are strings. */
export interface TagFilter {
  tag: string;
  op: Op;
  value?: string | string[];
}

export interface ChannelFilter { channel: Channel }

export interface NearFilter { near: { lat: number; lon: number; radiusKm: number } }

/** Another segment's filter, by id, expanded before compiling (resolve-segments.ts). */
export interface SegmentFilter { segment: string }

export type Filter = AndFilter | OrFilter | NotFilter | AttributeFilter | EventFilter | TagFilter | ChannelFilter | NearFilter | SegmentFilter;

/** Looks a segment's filter up by id, within the app the filter belongs to; undefined when there is none. */
export type ResolveSegment = (id: string) => Promise<unknown | undefined>;
