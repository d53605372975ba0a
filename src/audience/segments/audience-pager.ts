import { sql, type SqlBool } from 'kysely';
import type { AudiencePager, AudienceQuery } from '../../delivery/audience-pager.ts';
import { audiencePage, suppressedList } from '../../store/audience-page.ts';
import type { Store } from '../../store/database.ts';
import type { Filter } from '../filter/index.ts';
import { audienceRows, compileContext } from '../filter/sql/audience-query.ts';

/**
 * Whether the joined user turned the category off: a preference row with enabled = 0, by
 * user_preferences' primary key (user_seq, category). The filter's rows join `users`
 * already, so this asks by its seq rather than joining it again.
 */
const turnedOff = (category: string) =>
  sql<SqlBool>`exists (select 1 from user_preferences where user_preferences.user_seq = users.seq and user_preferences.category = ${category} and user_preferences.enabled = 0)`;

/**
 * The fan-out's pages of an audience: a filter (a segment's, expanded when the
 * notification was accepted) through the filter compiler, probing each subscription in
 * seq order; the other selectors through the store's own page query. Preference
 * suppression applies to both alike.
 */
export function audiencePager(store: Store): AudiencePager {
  // Written by createNotification from a filter it validated and expanded: not input to check again.
  const filterOf = (q: AudienceQuery) => JSON.parse(q.audience!) as Filter;
  const selector = (q: AudienceQuery) => {
    const t = q.target;
    if ('segment' in t || 'filter' in t) throw new Error(`a ${Object.keys(t)[0]} target without its expanded filter`);
    return t;
  };
  return {
    async page(q) {
      if (q.audience === null) return audiencePage(store.db, q.appId, selector(q), q.afterSeq, q.limit, { suppressCategory: q.suppressCategory });
      const ctx = await compileContext(store.db, q.appId, { now: q.now, caps: store.caps }, 'probe');
      const category = q.suppressCategory;
      const rows = await audienceRows(store.db, filterOf(q), ctx)
        .select('subscriptions.seq as seq')
        .where('subscriptions.seq', '>', q.afterSeq)
        .$if(category !== null, (r) => r.where(sql<SqlBool>`not ${turnedOff(category!)}`))
        .orderBy('subscriptions.seq')
        .limit(q.limit)
        .execute();
      return rows.map((r) => Number(r.seq));
    },
    async suppressed(q) {
      if (q.audience === null) return suppressedList(store.db, q.appId, selector(q), q.suppressCategory, q.afterSeq, q.throughSeq);
      const ctx = await compileContext(store.db, q.appId, { now: q.now, caps: store.caps }, 'probe');
      const rows = await audienceRows(store.db, filterOf(q), ctx)
        .select(['subscriptions.seq as seq', 'users.seq as user_seq'])
        .where('subscriptions.seq', '>', q.afterSeq)
        .$if(q.throughSeq !== undefined, (r) => r.where('subscriptions.seq', '<=', q.throughSeq!))
        .where(turnedOff(q.suppressCategory))
        .orderBy('subscriptions.seq')
        .execute();
      return rows.map((r) => ({ seq: Number(r.seq), userSeq: Number(r.user_seq) }));
    },
  };
}
