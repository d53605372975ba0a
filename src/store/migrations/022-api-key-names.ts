import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * API keys an app manages itself (src/apps/api-keys.ts, docs/api.md#api-keys):
 *
 * - `name`: the label its owner gave a key (null for the two keys made with the app).
 * - `last_used_at`: when the key last opened a request, written at most once a minute per
 *   key (src/apps/principal.ts), so that authenticating stays a read.
 * - `api_keys_app`: the keys of one app, for the listing and for the check that an app
 *   keeps a secret key.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('api_keys').addColumn('name', 'text').execute();
  await db.schema.alterTable('api_keys').addColumn('last_used_at', sql.raw(time)).execute();
  await db.schema.createIndex('api_keys_app').on('api_keys').columns(['app_id', 'created_at']).execute();
}
