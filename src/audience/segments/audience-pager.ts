import type { AudiencePager } from '../../delivery/audience-pager.ts';
import { audiencePage } from '../../store/audience-page.ts';
import type { Store } from '../../store/database.ts';
import { subscriptionsMatching, type Filter } from '../filter/index.ts';

/**
 * The fan-out's pages of an audience: a filter (a segment's, expanded when the
 * notification was accepted) through the filter compiler, probing each subscription in
 * seq order; the other selectors through the store's own page query.
 */
export function audiencePager(store: Store): AudiencePager {
  return {
    async page({ appId, target, audience, afterSeq, limit, now }) {
      if (audience !== null) {
        // Written by createNotification from a filter it validated and expanded: not input to check again.
        const f = JSON.parse(audience) as Filter;
        const rows = await subscriptionsMatching(store.db, appId, f, { now, caps: store.caps, afterSeq, limit });
        return rows.map((r) => r.seq);
      }
      if ('segment' in target || 'filter' in target) throw new Error(`a ${Object.keys(target)[0]} target without its expanded filter`);
      return audiencePage(store.db, appId, target, afterSeq, limit);
    },
  };
}
