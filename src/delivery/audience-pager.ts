import type { Target } from '../message/target.ts';

/** A notification's audience, as the fan-out asks for it. */
export interface AudienceQuery {
  appId: string;
  target: Target;
  /**
   * JSON of the audience filter of a `{segment}` or `{filter}` target, its segments
   * expanded when the notification was accepted (notifications.audience); null for the
   * other selectors.
   */
  audience: string | null;
  /** The time a filter's `within` and `older_than` count back from (unix ms): the notification's send time. */
  now: number;
  /** Subscriptions whose user turned this category off are left out (docs/preferences.md); null: none are. */
  suppressCategory: string | null;
}

/**
 * What the fan-out needs to walk an audience: the seqs of its subscriptions, page by
 * page, in seq order, and how many each page's range left out. Declared here, where it is
 * used, and implemented by the audience feature (which compiles filters to SQL), so that
 * delivery does not reach up a floor for it.
 */
export interface AudiencePager {
  /** The next page after `afterSeq` (keyset, never OFFSET); a page shorter than `limit` is the last. */
  page(q: AudienceQuery & { afterSeq: number; limit: number }): Promise<number[]>;
  /**
   * Those of the audience in the seq range (afterSeq, throughSeq] (to the end without
   * `throughSeq`) the category leaves out, in seq order: asked over each page's own range,
   * so each left-out subscription is counted, and given its send record, once.
   */
  suppressed(q: AudienceQuery & { suppressCategory: string; afterSeq: number; throughSeq?: number }): Promise<SuppressedSubscription[]>;
}

/** A subscription the audience matched and a preference left out, with its user (who turned the category off). */
export interface SuppressedSubscription {
  seq: number;
  userSeq: number;
}
