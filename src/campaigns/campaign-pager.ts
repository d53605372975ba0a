import { sql, type SqlBool } from 'kysely';
import type { Filter } from '../audience/filter/index.ts';
import { audienceRows, compileContext } from '../audience/filter/sql/audience-query.ts';
import type { AudiencePager, AudienceQuery } from '../delivery/audience-pager.ts';
import type { Store } from '../store/database.ts';

/** The target of a planned wave (waves.ts storeWaves): its campaign, run and instant. */
interface PlannedTarget {
  campaign: string;
  run: number;
  planAt: number;
}

function plannedTarget(q: AudienceQuery): PlannedTarget | null {
  const t = q.target as unknown as Partial<PlannedTarget>;
  return typeof t.campaign === 'string' && typeof t.run === 'number' && typeof t.planAt === 'number' ? (t as PlannedTarget) : null;
}

/** As audience-pager.ts asks it: the joined user turned the category off. */
const turnedOff = (category: string) =>
  sql<SqlBool>`exists (select 1 from user_preferences where user_preferences.user_seq = users.seq and user_preferences.category = ${category} and user_preferences.enabled = 0)`;

/**
 * The fan-out's pages, with the waves of intelligent campaigns narrowed to their users: a
 * planned wave's audience is the campaign's filter, and of it only the users whose plan row
 * (`campaign_user_plans`, by its primary key) holds the wave's instant. Users who joined
 * the audience after launch have no row and are not sent; so each user is in one wave.
 * Every other notification goes to `inner`.
 */
export function campaignPager(store: Store, inner: AudiencePager): AudiencePager {
  const planned = (t: PlannedTarget) =>
    sql<SqlBool>`exists (select 1 from campaign_user_plans p where p.campaign_id = ${t.campaign} and p.run = ${t.run} and p.user_seq = users.seq and p.send_at = ${t.planAt})`;
  return {
    async page(q) {
      const t = plannedTarget(q);
      if (t === null || q.audience === null) return inner.page(q);
      const ctx = await compileContext(store.db, q.appId, { now: q.now, caps: store.caps }, 'probe');
      const category = q.suppressCategory;
      const rows = await audienceRows(store.db, JSON.parse(q.audience) as Filter, ctx)
        .select('subscriptions.seq as seq')
        .where('subscriptions.seq', '>', q.afterSeq)
        .where(planned(t))
        .$if(category !== null, (r) => r.where(sql<SqlBool>`not ${turnedOff(category!)}`))
        .orderBy('subscriptions.seq')
        .limit(q.limit)
        .execute();
      return rows.map((r) => Number(r.seq));
    },
    async suppressed(q) {
      const t = plannedTarget(q);
      if (t === null || q.audience === null) return inner.suppressed(q);
      const ctx = await compileContext(store.db, q.appId, { now: q.now, caps: store.caps }, 'probe');
      const rows = await audienceRows(store.db, JSON.parse(q.audience) as Filter, ctx)
        .select(['subscriptions.seq as seq', 'users.seq as user_seq'])
        .where('subscriptions.seq', '>', q.afterSeq)
        .$if(q.throughSeq !== undefined, (r) => r.where('subscriptions.seq', '<=', q.throughSeq!))
        .where(planned(t))
        .where(turnedOff(q.suppressCategory))
        .orderBy('subscriptions.seq')
        .execute();
      return rows.map((r) => ({ seq: Number(r.seq), userSeq: Number(r.user_seq) }));
    },
  };
}
