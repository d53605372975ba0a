import type { Kysely } from 'kysely';

/**
 * The sender's reference of each push message held by Carillon's own push service, so
 * that a browser's ack 101 (could not decrypt) or 102 (not delivered) is charged to the
 * notification and subscription it belongs to (src/delivery/unshown.ts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('push_messages').addColumn('delivery_ref', 'text').execute();
}
