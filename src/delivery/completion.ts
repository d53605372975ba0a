import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';

/**
 * Takes the notification's row lock for the rest of the transaction. A no-op update does
 * it on both engines (SQLite has no `FOR UPDATE`; its writer lock is the same effect), so
 * workers finishing batches of one notification at once see each other's work.
 */
export async function lockNotification(tx: Transaction<Database>, notificationId: string): Promise<void> {
  await tx.updateTable('notifications').set((eb) => ({ fanout_cursor: eb.ref('fanout_cursor') })).where('id', '=', notificationId).execute();
}

/**
 * Marks a notification completed once its audience is fully cut and every batch is done.
 * Called, after `lockNotification`, in the transaction that finished a batch.
 */
export async function finishIfComplete(tx: Transaction<Database>, notificationId: string, now: number): Promise<void> {
  const n = await tx.selectFrom('notifications').select(['fanout_done', 'status']).where('id', '=', notificationId).executeTakeFirst();
  if (!n || !n.fanout_done || n.status === 'completed' || n.status === 'cancelled') return;
  const open = await tx.selectFrom('delivery_batches').select('id').where('notification_id', '=', notificationId).where('done', '=', 0).limit(1).executeTakeFirst();
  if (open) return;
  await tx.updateTable('notifications').set({ status: 'completed', completed_at: now }).where('id', '=', notificationId).execute();
}
