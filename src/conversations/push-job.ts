import type { Context } from '../context.ts';
import type { Job } from '../queue/queue.ts';
import { createNotification } from '../notifications/notifications.ts';
import type { NotificationAction } from '../message/content.ts';
import type { ConversationsTable } from '../store/schema-conversations.ts';
import { answerKey } from './answer-key.ts';

/**
 * Pushes an answer into its thread: a notification to the device that replied (or, with
 * `reply.answerTo` user, to every current subscription of the thread's user), whose
 * idempotency key names the thread and the answer, so a retried job makes it once, and the
 * deliver job gives it the thread's tag, thread-id and collapse key and a new reply token
 * (conversation-personaliser.ts). The notification is what makes the push durable from
 * here: stored with its fan-out job in one transaction (createNotification).
 */
export async function runPush(ctx: Context, job: Job): Promise<void> {
  const { conversationId, seq } = job.data as { conversationId: string; seq: number };
  const db = ctx.store.db;
  const m = await db.selectFrom('conversation_messages').selectAll().where('conversation_id', '=', conversationId).where('seq', '=', seq).executeTakeFirst();
  if (!m || m.author === 'user' || m.notification_id !== null) return;
  const c = await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirstOrThrow();
  // A run that made the notification and stopped before noting it: the same one, whatever changed since.
  const made = await db.selectFrom('notifications').select('id').where('app_id', '=', c.app_id).where('idempotency_key', '=', answerKey(c.id, seq)).executeTakeFirst();
  if (made) {
    await note(ctx, conversationId, seq, made.id);
    return;
  }
  const actions = m.actions ? (JSON.parse(m.actions) as NotificationAction[]) : undefined;
  const { id } = await createNotification(
    ctx,
    c.app_id,
    {
      to: { subscriptionIds: await recipientsOf(ctx, c) },
      title: c.title,
      body: m.text,
      ...(actions ? { actions } : {}),
      // One device, someone waiting: the urgent lane (createNotification).
      urgency: 'high',
      ...(c.state === 'closed' ? {} : { reply: { placeholder: c.placeholder, assistant: c.assistant, title: c.reply_title } }),
    },
    answerKey(c.id, seq),
  );
  await note(ctx, conversationId, seq, id);
}

/** Subscriptions a user holds at most that an answer reaches: createNotification's own limit for subscriptionIds. */
const MAX_DEVICES = 10_000;

/**
 * Where the answer goes: the thread's device, or with answerTo user the subscriptions of its
 * user in the app as they are now (one unsubscribed since is gone from them; one added since
 * gets the answer too), the thread's own first. With none left, the device, as before.
 */
async function recipientsOf(ctx: Context, c: Pick<ConversationsTable, 'app_id' | 'subscription_id' | 'user_id' | 'answer_to'>): Promise<string[]> {
  if (c.answer_to !== 'user' || c.user_id === null) return [c.subscription_id];
  const rows = await ctx.store.db.selectFrom('subscriptions').select('id').where('app_id', '=', c.app_id).where('user_id', '=', c.user_id).orderBy('seq').limit(MAX_DEVICES).execute();
  const others = rows.map((r) => r.id).filter((id) => id !== c.subscription_id);
  return [c.subscription_id, ...others].slice(0, MAX_DEVICES);
}

async function note(ctx: Context, conversationId: string, seq: number, notificationId: string): Promise<void> {
  await ctx.store.db.updateTable('conversation_messages').set({ notification_id: notificationId }).where('conversation_id', '=', conversationId).where('seq', '=', seq).execute();
}
