import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../dialect.ts';

/** Per-app APNs and FCM credentials (src/credentials/): public fields in clear, the secret sealed. */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const time = dialect === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('app_credentials')
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('public_fields', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text', (c) => c.notNull())
    .addColumn('master_key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', sql.raw(time), (c) => c.notNull())
    .addColumn('updated_at', sql.raw(time), (c) => c.notNull())
    .addPrimaryKeyConstraint('app_credentials_pk', ['app_id', 'kind'])
    .execute();
}
