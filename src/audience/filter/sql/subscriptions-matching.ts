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
}

/**
 * One page of the audience's subscriptions, in seq order after `afterSeq` (keyset
 * pagination: each page starts at an index position, never skips rows with OFFSET). The
 * fan-out calls it with the last seq of the page before until a page is short.
 */
export async function subscriptionsMatching(db: Kysely<Database>, appId: string, f: Filter, opts: PageOptions): Promise<MatchingSubscription[]> {
  const ctx = await compileContext(db, appId, opts);
  const rows = await audienceRows(db, f, ctx)
    .select(['subscriptions.seq as seq', 'subscriptions.id as id', 'subscriptions.channel as channel', 'users.seq as userSeq'])
    .where('subscriptions.seq', '>', opts.afterSeq)
    .orderBy('subscriptions.seq')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), id: r.id, channel: r.channel, userSeq: Number(r.userSeq) }));
}

/** Every subscription of the audience, page by page, with one `now` for the whole walk. */
export async function* streamSubscriptions(db: Kysely<Database>, appId: string, f: Filter, opts: AudienceQueryOptions & { pageSize: number }): AsyncGenerator<MatchingSubscription[]> {
  let afterSeq = 0;
  for (;;) {
    const page = await subscriptionsMatching(db, appId, f, { ...opts, afterSeq, limit: opts.pageSize });
    if (page.length > 0) yield page;
    if (page.length < opts.pageSize) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}
