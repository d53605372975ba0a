import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Who to select, as the store needs it: the selectors of the message model's `Target`
 * (src/message/target.ts) that are plain lookups, declared here so that the store imports
 * nothing above it. `{segment}` and `{filter}` targets are paged by the audience filter's
 * compiler instead (src/audience/segments/audience-pager.ts).
 */
export type AudienceSelector =
  | { subscriptionIds: string[] }
  | { userIds: string[] }
  | { tags: Record<string, string> }
  | { all: true };

/** Restricts a query on `subscriptions` (already limited to one app) to the selector's audience. */
export function whereTarget<O>(q: SelectQueryBuilder<Database, 'subscriptions', O>, appId: string, target: AudienceSelector): SelectQueryBuilder<Database, 'subscriptions', O> {
  if ('subscriptionIds' in target) return q.where('subscriptions.id', 'in', target.subscriptionIds);
  if ('userIds' in target) return q.where('subscriptions.user_id', 'in', target.userIds);
  if ('tags' in target) {
    // One indexed semi-join per pair: a subscription must carry every pair asked for.
    for (const [key, value] of Object.entries(target.tags)) {
      q = q.where('subscriptions.seq', 'in', (eb) =>
        eb.selectFrom('subscription_tags').select('subscription_seq').where('app_id', '=', appId).where('key', '=', key).where('value', '=', value),
      );
    }
    return q;
  }
  return q;
}

/** The next page of the audience after `afterSeq`, in seq order (keyset pagination, never OFFSET). */
export function audiencePageQuery(db: Kysely<Database>, appId: string, target: AudienceSelector, afterSeq: number, limit: number) {
  const q = whereTarget(db.selectFrom('subscriptions').where('subscriptions.app_id', '=', appId), appId, target);
  return q.select('subscriptions.seq').where('subscriptions.seq', '>', afterSeq).orderBy('subscriptions.seq').limit(limit);
}

export async function audiencePage(db: Kysely<Database>, appId: string, target: AudienceSelector, afterSeq: number, limit: number): Promise<number[]> {
  const rows = await audiencePageQuery(db, appId, target, afterSeq, limit).execute();
  return rows.map((r) => Number(r.seq));
}
