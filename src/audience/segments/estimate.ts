import type { Context } from '../../context.ts';
import { countAudience, type AudienceCount } from '../filter/index.ts';
import { expandedFilter } from './audience-filter.ts';

/**
 * The exact size of a filter's audience now, on the runtime's clock: users, subscriptions
 * and subscriptions by channel, as a send accepted at this moment would target them.
 */
export async function estimateAudience(ctx: Context, appId: string, filter: unknown): Promise<AudienceCount> {
  const f = await expandedFilter(ctx.store.db, appId, filter, '/filter');
  return countAudience(ctx.store.db, appId, f, { now: ctx.now(), caps: ctx.store.caps });
}
