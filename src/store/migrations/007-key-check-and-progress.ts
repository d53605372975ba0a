import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/**
 * Two records that make failures visible and restarts cheap:
 *
 * - `master_key_check`: one row, an HMAC of a fixed text under the master key the
 *   database's secrets are sealed with (never the key), so a process started with another
 *   key refuses to start (src/crypto/key-check.ts). Written on the first start after this
 *   migration.
 * - `delivery_progress`: what a running delivery batch has already sent, committed as it
 *   goes, so a batch re-run after a crash sends again only what was in flight
 *   (src/delivery/batch-progress.ts).
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('master_key_check')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('mac', 'text', (c) => c.notNull())
    .addColumn('created_at', sql.raw(time), (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('delivery_progress')
    .addColumn('batch_id', sql.raw(time), (c) => c.notNull().references('delivery_batches.id').onDelete('cascade'))
    .addColumn('delivered', 'text', (c) => c.notNull())
    .addColumn('failed', 'text', (c) => c.notNull())
    .addColumn('pruned', 'text', (c) => c.notNull())
    .addColumn('retrying', 'text', (c) => c.notNull())
    .addColumn('retry_after', 'integer', (c) => c.notNull())
    .addColumn('at', sql.raw(time), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('delivery_progress_batch').on('delivery_progress').columns(['batch_id']).execute();
}
