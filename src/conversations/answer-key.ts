import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/**
 * An answer's push is a notification whose idempotency key names the thread and the
 * message it carries: a retried push job makes it once (createNotification answers the
 * first again), and the deliver job tells from the key which thread it answers.
 */
export function answerKey(conversationId: string, seq: number): string {
  return `conversation:${conversationId}:${seq}`;
}

/** The thread a notification answers into and the answer it carries (its seq), when it is an answer's push. */
export async function answerOf(db: Kysely<Database>, notificationId: string): Promise<{ conversationId: string; seq: number } | undefined> {
  const row = await db.selectFrom('notifications').select('idempotency_key').where('id', '=', notificationId).executeTakeFirst();
  const m = /^conversation:(cnv_[A-Za-z0-9_-]+):([0-9]+)$/.exec(row?.idempotency_key ?? '');
  return m ? { conversationId: m[1]!, seq: Number(m[2]) } : undefined;
}
