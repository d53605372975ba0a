import { sql } from 'kysely';
import { audienceSql } from '../audience/filter/sql/capabilities.ts';
import type { Context } from '../context.ts';
import type { TriggerAudience, TriggerDrop } from './journey-definition.ts';
import type { TriggerEvent } from './user-facts.ts';

/**
 * The drop an event carries, as a percent of its `from` ((from - to) / from × 100), when
 * both are numbers and `from` is positive; undefined otherwise (a price that is not a number
 * drops by nothing a journey can measure).
 */
export function dropPercent(drop: TriggerDrop, event: TriggerEvent): number | undefined {
  const from = event.properties[drop.from];
  const to = event.properties[drop.to];
  if (typeof from !== 'number' || typeof to !== 'number' || !(from > 0)) return undefined;
  return ((from - to) / from) * 100;
}

/** Whether the event's drop reaches the trigger's threshold (no `drop` member: every event does). */
export function dropReached(drop: TriggerDrop | undefined, event: TriggerEvent): boolean {
  if (!drop) return true;
  const p = dropPercent(drop, event);
  // A hair of float error must not drop a 20.0 % cut under a 20 % threshold: (10 - 8) / 10.
  return p !== undefined && p + 1e-9 >= drop.atLeastPercent;
}

/**
 * The users an item's event reaches (the price drop's viewers): every user with an
 * `audience.event` whose `audience.property` equals the trigger event's, within the last
 * `audience.within`, and no `audience.except` event with that value. One statement on the
 * events' indexes: the recent events of that name by `user_events_name_at` (app, name, at),
 * each user's exception by `user_events_name_user` (app, name, user): a range of the
 * window's events of that name, never a pass over every user. Users in `user_seq` order, a
 * page at a time: the `limit` after `after` (audience-walk.ts).
 */
export async function audienceOf(ctx: Context, appId: string, audience: TriggerAudience, event: TriggerEvent, now: number, page: { after: number; limit: number }): Promise<number[]> {
  const value = event.properties[audience.property];
  // An item is named by a string or a number; anything else names no item.
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) return [];
  const db = ctx.store.db;
  const { propertyEquals } = await audienceSql(db, ctx.store.caps);
  let q = db
    .selectFrom('user_events as v')
    .select('v.user_seq')
    .distinct()
    .where('v.app_id', '=', appId)
    .where('v.name', '=', audience.event)
    .where('v.at', '>=', now - audience.ms)
    .where('v.user_seq', '>', page.after)
    .where(propertyEquals(audience.property, value));
  if (audience.except !== undefined) {
    const except = audience.except;
    q = q.where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('user_events as p').select(sql`1`.as('one')).where('p.app_id', '=', appId).where('p.name', '=', except).whereRef('p.user_seq', '=', 'v.user_seq').where(propertyEquals(audience.property, value)))),
    );
  }
  const rows = await q.orderBy('v.user_seq').limit(page.limit).execute();
  return rows.map((r) => Number(r.user_seq));
}
