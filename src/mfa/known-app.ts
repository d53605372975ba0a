import type { Kysely } from 'kysely';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';

/**
 * Refuses a sign-in write for an app that does not exist: the admin key reaches any app id,
 * and a row written for none would fail its foreign key as a 500 rather than a 404.
 */
export async function requireKnownApp(db: Kysely<Database>, appId: string): Promise<void> {
  const row = await db.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst();
  if (!row) throw new ApiError('app_not_found', `No app with id ${appId}`);
}
