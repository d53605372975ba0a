import { sql, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
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

/**
 * A subscription whose user turned `category` off: its user (users.external_id =
 * subscriptions.user_id, by users_app_external) has a preference row with enabled = 0 (by
 * its primary key). A subscription with no user id matches no user, so it is never left out.
 */
function turnedOff(eb: ExpressionBuilder<Database, 'subscriptions'>, appId: string, category: string) {
  return eb.exists(
    eb
      .selectFrom('users')
      .innerJoin('user_preferences', 'user_preferences.user_seq', 'users.seq')
      .select(sql<number>`1`.as('one'))
      .where('users.app_id', '=', appId)
      .whereRef('users.external_id', '=', 'subscriptions.user_id')
      .where('user_preferences.category', '=', category)
      .where('user_preferences.enabled', '=', 0),
  );
}

/** What the audience leaves out: subscriptions whose user turned this category off (null: none). */
export interface AudienceOptions {
  suppressCategory?: string | null;
}

/** The next page of the audience after `afterSeq`, in seq order (keyset pagination, never OFFSET). */
export function audiencePageQuery(db: Kysely<Database>, appId: string, target: AudienceSelector, afterSeq: number, limit: number, opts: AudienceOptions = {}) {
  const q = whereTarget(db.selectFrom('subscriptions').where('subscriptions.app_id', '=', appId), appId, target);
  const category = opts.suppressCategory;
  return q
    .select('subscriptions.seq')
    .where('subscriptions.seq', '>', afterSeq)
    .$if(category != null, (q) => q.where((eb) => eb.not(turnedOff(eb, appId, category!))))
    .orderBy('subscriptions.seq')
    .limit(limit);
}

export async function audiencePage(db: Kysely<Database>, appId: string, target: AudienceSelector, afterSeq: number, limit: number, opts: AudienceOptions = {}): Promise<number[]> {
  const rows = await audiencePageQuery(db, appId, target, afterSeq, limit, opts).execute();
  return rows.map((r) => Number(r.seq));
}

/**
 * How many of the audience in the seq range (afterSeq, throughSeq] (to the end without
 * `throughSeq`) the category leaves out. Asked once per page over that page's own range,
 * so the ranges of a fan-out's pages are disjoint and cover the audience: each left-out
 * subscription is counted once, in the transaction that commits its page.
 */
export function suppressedCountQuery(db: Kysely<Database>, appId: string, target: AudienceSelector, category: string, afterSeq: number, throughSeq?: number) {
  const q = whereTarget(db.selectFrom('subscriptions').where('subscriptions.app_id', '=', appId), appId, target);
  return q
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('subscriptions.seq', '>', afterSeq)
    .$if(throughSeq !== undefined, (q) => q.where('subscriptions.seq', '<=', throughSeq!))
    .where((eb) => turnedOff(eb, appId, category));
}

export async function suppressedCount(db: Kysely<Database>, appId: string, target: AudienceSelector, category: string, afterSeq: number, throughSeq?: number): Promise<number> {
  const row = await suppressedCountQuery(db, appId, target, category, afterSeq, throughSeq).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The subscriptions in the seq range (afterSeq, throughSeq] that the category leaves out,
 * with their users' seqs, in seq order: what `suppressedCountQuery` counts, listed, so
 * each gets its send record. The user is found again by users_app_external (a left-out
 * subscription always has one: that is whose preference left it out).
 */
export function suppressedListQuery(db: Kysely<Database>, appId: string, target: AudienceSelector, category: string, afterSeq: number, throughSeq?: number) {
  const q = whereTarget(db.selectFrom('subscriptions').where('subscriptions.app_id', '=', appId), appId, target);
  return q
    .select((eb) => [
      'subscriptions.seq',
      eb.selectFrom('users').select('users.seq').where('users.app_id', '=', appId).whereRef('users.external_id', '=', 'subscriptions.user_id').as('user_seq'),
    ])
    .where('subscriptions.seq', '>', afterSeq)
    .$if(throughSeq !== undefined, (q) => q.where('subscriptions.seq', '<=', throughSeq!))
    .where((eb) => turnedOff(eb, appId, category))
    .orderBy('subscriptions.seq');
}

export async function suppressedList(db: Kysely<Database>, appId: string, target: AudienceSelector, category: string, afterSeq: number, throughSeq?: number): Promise<{ seq: number; userSeq: number }[]> {
  const rows = await suppressedListQuery(db, appId, target, category, afterSeq, throughSeq).execute();
  return rows.map((r) => ({ seq: Number(r.seq), userSeq: Number(r.user_seq) }));
}

/**
 * Whether any user of the app turned the category off (by user_preferences_category). When
 * none has, the fan-out pages without the preference test and counts nothing: most
 * categories of most sends cost nothing extra.
 */
export async function anyTurnedOff(db: Kysely<Database>, appId: string, category: string): Promise<boolean> {
  const row = await db
    .selectFrom('user_preferences')
    .select('user_seq')
    .where('app_id', '=', appId)
    .where('category', '=', category)
    .where('enabled', '=', 0)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
