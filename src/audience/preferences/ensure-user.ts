import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';

/**
 * The users.seq of (app, externalId), creating the user as first seen now if it is not
 * known. Two requests racing for a new user both end with the one row the unique index
 * (users_app_external) lets in.
 */
export async function ensureUser(db: Kysely<Database>, appId: string, externalId: string, now: number): Promise<number> {
  await db
    .insertInto('users')
    .values({ app_id: appId, external_id: externalId, attributes: '{}', created_at: now, updated_at: now, session_count: 0 })
    .onConflict((oc) => oc.columns(['app_id', 'external_id']).doNothing())
    .execute();
  const row = await db.selectFrom('users').select('seq').where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirstOrThrow();
  return Number(row.seq);
}
