import type { Transaction } from 'kysely';
import { prepared } from '../store/prepared.ts';
import type { Database } from '../store/schema.ts';

/**
 * Takes the notification's row lock for the rest of the transaction. A no-op update does
 * it on both engines (SQLite has no `FOR UPDATE`; its writer lock is the same effect), so
 * workers finishing batches of one notification at once see each other's work.
 */
export async function lockNotification(tx: Transaction<Database>, notificationId: string): Promise<void> {
  await notificationLock.affected(tx, { notificationId });
}

const notificationLock = prepared((db, $: { notificationId: string }) => db.updateTable('notifications').set((eb) => ({ fanout_cursor: eb.ref('fanout_cursor') })).where('id', '=', $.notificationId));

/**
 * Marks a notification completed once its audience is fully cut and every batch is done.
 * Called, after `lockNotification`, in the transaction that finished a batch.
 */
export async function finishIfComplete(tx: Transaction<Database>, notificationId: string, now: number): Promise<void> {
  const n = await fanoutState.first(tx, { notificationId });
  if (!n || !n.fanout_done || n.status === 'completed' || n.status === 'cancelled') return;
  if (await openBatch.first(tx, { notificationId })) return;
  await completed.affected(tx, { notificationId, now });
}

const fanoutState = prepared((db, $: { notificationId: string }) => db.selectFrom('notifications').select(['fanout_done', 'status']).where('id', '=', $.notificationId));
const openBatch = prepared((db, $: { notificationId: string }) => db.selectFrom('delivery_batches').select('id').where('notification_id', '=', $.notificationId).where('done', '=', 0).limit(1));
const completed = prepared((db, $: { notificationId: string; now: number }) => db.updateTable('notifications').set({ status: 'completed', completed_at: $.now }).where('id', '=', $.notificationId));
