import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import type { AudienceCount } from '../evaluate.ts';
import { CHANNELS, type Filter } from '../types.ts';
import { audienceRows, compileContext, type AudienceQueryOptions } from './audience-query.ts';

/**
 * The exact size of the audience: its subscriptions, by channel, and the users they
 * belong to (a user with a phone and a browser counts once). Both counts in one statement
 * per grouping, so they see the same rows.
 */
export async function countAudience(db: Kysely<Database>, appId: string, f: Filter, opts: AudienceQueryOptions): Promise<AudienceCount> {
  const ctx = await compileContext(db, appId, opts);
  const total = await audienceRows(db, f, ctx)
    .select([sql<number>`count(*)`.as('subscriptions'), sql<number>`count(distinct users.seq)`.as('users')])
    .executeTakeFirstOrThrow();
  const channels = await audienceRows(db, f, ctx)
    .select(['subscriptions.channel as channel', sql<number>`count(*)`.as('n')])
    .groupBy('subscriptions.channel')
    .execute();
  const byChannel: Record<string, number> = Object.fromEntries(CHANNELS.map((c) => [c, 0]));
  for (const r of channels) byChannel[r.channel] = Number(r.n);
  return { users: Number(total.users), subscriptions: Number(total.subscriptions), byChannel };
}
