import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { freshState, takeTokens, throttleRate, type ThrottleState } from './throttle-bucket.ts';

/** What a throttled send asks: how many of `n` sends of the campaign may go now, and how long the rest wait. */
export interface CampaignThrottle {
  take(campaignId: string, n: number, perMinute: number): Promise<{ granted: number; waitMs: number }>;
}

/**
 * The campaign's bucket in its `campaign_throttles` row (migration 019), taken in a
 * transaction that holds the row: every worker of every process on the store takes from
 * the one bucket, on the clock the process is given. A no-op update takes the row's lock
 * on both engines (SQLite's writer lock, PostgreSQL's row lock) before it is read, as
 * `lockNotification` does.
 *
 * The store rather than Redis, also where Redis is configured: the row is shared by every
 * worker already, a throttled campaign takes at most a few hundred times a second, and the
 * store's clock is the one tests move (BullMQ's delays follow Redis's own).
 */
export function storeThrottle(db: Kysely<Database>, now: () => number): CampaignThrottle {
  return {
    async take(campaignId, n, perMinute) {
      const rate = throttleRate(perMinute);
      return db.transaction().execute(async (tx) => {
        const at = now();
        await tx
          .insertInto('campaign_throttles')
          .values({ campaign_id: campaignId, ...freshState(rate, at) })
          .onConflict((oc) => oc.column('campaign_id').doNothing())
          .execute();
        await tx.updateTable('campaign_throttles').set((eb) => ({ waiting: eb.ref('waiting') })).where('campaign_id', '=', campaignId).execute();
        const row = await tx.selectFrom('campaign_throttles').select(['tokens', 'at', 'waiting']).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
        const state: ThrottleState = { tokens: Number(row.tokens), at: Number(row.at), waiting: Number(row.waiting) };
        const taken = takeTokens(state, rate, n, at);
        await tx.updateTable('campaign_throttles').set(taken.state).where('campaign_id', '=', campaignId).execute();
        return { granted: taken.granted, waitMs: taken.waitMs };
      });
    },
  };
}
