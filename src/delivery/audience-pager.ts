import type { Target } from '../message/target.ts';

/** One page of a notification's audience, as the fan-out asks for it. */
export interface AudiencePageRequest {
  appId: string;
  target: Target;
  /**
   * JSON of the audience filter of a `{segment}` or `{filter}` target, its segments
   * expanded when the notification was accepted (notifications.audience); null for the
   * other selectors.
   */
  audience: string | null;
  /** Subscriptions after this seq (0 to start): keyset pagination, never OFFSET. */
  afterSeq: number;
  limit: number;
  /** The time a filter's `within` and `older_than` count back from (unix ms): the notification's send time. */
  now: number;
}

/**
 * What the fan-out needs to walk an audience: the seqs of its subscriptions, page by
 * page, in seq order; a page shorter than `limit` is the last. Declared here, where it is
 * used, and implemented by the audience feature (which compiles filters to SQL), so that
 * delivery does not reach up a floor for it.
 */
export interface AudiencePager {
  page(req: AudiencePageRequest): Promise<number[]>;
}
