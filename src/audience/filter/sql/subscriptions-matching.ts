import type { Kysely } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import type { Filter } from '../types.ts';
import { audienceRows, compileContext, type AudienceQueryOptions } from './audience-query.ts';

export interface MatchingSubscription {
  seq: number;
  id: string;
  channel: string;
  userSeq: number;
}

export interface PageOptions extends AudienceQueryOptions {
  /** Subscriptions after this seq (0 to start). */
  afterSeq: number;
  limit: number;
  /**
   * How the filter's semi-joins are asked (sql/predicate.ts). `probe`, the default, checks
   * each subscription in seq order against the per-user indexes: a page costs about its
   * own rows, so walking an audience of M out of S subscriptions costs O(S) in all. `set`
   * builds each leaf's set of users per page: O(M) a page, M²/limit for the walk, cheaper
   * only for a small audience in a large app.
   */
  form?: 'set' | 'probe';
}

/**
 * One page of the audience's subscriptions, in seq order after `afterSeq` (keyset
 * pagination: each page starts at an index position, never skips rows with OFFSET). The
 * fan-out calls it with the last seq of the page before until a page is short.
 */
export async function subscriptionsMatching(db: Kysely<Database>, appId: string, f: Filter, opts: PageOptions): Promise<MatchingSubscription[]> {
  const ctx = await compileContext(db, appId, opts, opts.form ?? 'probe');
  const rows = await audienceRows(db, f, ctx)
    .select(['subscriptions.seq as seq', 'subscriptions.id as id', 'subscriptions.channel as channel', 'users.seq as userSeq'])
    .where('subscriptions.seq', '>', opts.afterSeq)
    .orderBy('subscriptions.seq')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), id: r.id, channel: r.channel, userSeq: Number(r.userSeq) }));
}

/** Every subscription of the audience, page by page, with one `now` for the whole walk. */
export async function* streamSubscriptions(db: Kysely<Database>, appId: string, f: Filter, opts: AudienceQueryOptions & { pageSize: number; form?: 'set' | 'probe' }): AsyncGenerator<MatchingSubscription[]> {
  let afterSeq = 0;
  for (;;) {
    const page = await subscriptionsMatching(db, appId, f, { ...opts, afterSeq, limit: opts.pageSize });
    if (page.length > 0) yield page;
    if (page.length < opts.pageSize) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}
