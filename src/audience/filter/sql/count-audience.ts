import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import type { AudienceCount } from '../evaluate.ts';
import { CHANNELS, type Filter } from '../types.ts';
import { audienceRows, compileContext, readsUsersRow, subscriptionsOfUsers, type AudienceQueryOptions } from './audience-query.ts';

/**
 * The exact size of the audience: its subscriptions, by channel, and the users they
 * belong to (a user with a phone and a browser counts once). One pass over the matching
 * rows: the channels are the closed list the subscriptions API accepts.
 */
export async function countAudience(db: Kysely<Database>, appId: string, f: Filter, opts: AudienceQueryOptions): Promise<AudienceCount> {
  const ctx = await compileContext(db, appId, opts);
  // Without the users table when the filter reads none of its columns (audience-query.ts).
  const lean = !readsUsersRow(f);
  const count = (on: Kysely<Database>) =>
    (lean ? subscriptionsOfUsers(on, f, ctx) : audienceRows(on, f, ctx))
      .select([
        sql<number>`count(*)`.as('subscriptions'),
        (lean ? sql<number>`count(distinct subscriptions.user_seq)` : sql<number>`count(distinct users.seq)`).as('users'),
        ...CHANNELS.map((c) => sql<number>`coalesce(sum(case when subscriptions.channel = ${c} then 1 else 0 end), 0)`.as(c)),
      ])
      .executeTakeFirstOrThrow();
  const settings = ctx.sql.sizingSettings;
  const row =
    settings.length === 0
      ? await count(db)
      : await db.transaction().execute(async (tx) => {
          for (const setting of settings) await setting.execute(tx);
          return count(tx);
        });
  const byChannel: Record<string, number> = Object.fromEntries(CHANNELS.map((c) => [c, Number((row as Record<string, unknown>)[c])]));
  return { users: Number(row.users), subscriptions: Number(row.subscriptions), byChannel };
}
