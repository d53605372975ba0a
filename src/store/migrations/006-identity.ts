import { sql, type Kysely } from 'kysely';

/**
 * Identity verification (src/apps/identity.ts): each app's secret for user id hashes,
 * sealed under the master key, and whether browsers must prove the user ids they set.
 * Apps made before stay as they were (off, no secret) until their owner turns it on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('apps').addColumn('identity_secret', 'text').execute();
  await db.schema
    .alterTable('apps')
    .addColumn('identity_verification', 'integer', (c) => c.notNull().defaultTo(sql`0`))
    .execute();
}
