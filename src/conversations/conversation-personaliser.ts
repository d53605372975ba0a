import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import type { Personalised, PersonalisedNotification, PersonalRecipient, Personaliser } from '../delivery/personaliser.ts';
import type { MessageContent } from '../message/content.ts';
import type { ConversationsTable } from '../store/schema-conversations.ts';
import { answerOf } from './answer-key.ts';
import { replyThreadOf } from './reply-thread.ts';

/**
 * Opens the threads of a notification that can be answered (`reply`), as it is sent: one per
 * recipient (subscription), whose push carries its own reply token. The unique
 * (notification, subscription) index makes a batch run again after a crash find the threads
 * it opened. An answer pushed into a thread (push-job.ts) is a notification of its own,
 * told by its idempotency key; it carries the thread it answers, to the device the thread is
 * with (and with answerTo user to each device of the thread's user, a token bound to each
 * one's own subscription), and opens none; its thread names the answer (`answer`, its seq),
 * which tells the device that the push's buttons are the answer's, to be posted as a choice
 * (docs/conversations.md#a-tapped-button). Other notifications pass through `inner` untouched.
 */
export function conversationPersonaliser(ctx: Context, inner: Personaliser): Personaliser {
  return {
    async personalise(notification, recipients, base) {
      const answers = await inner.personalise(notification, recipients, base);
      const wanting = recipients.map((r, i) => ({ r, a: answers[i]! })).filter(({ a }) => 'message' in a && a.message.content.reply !== undefined);
      if (wanting.length === 0) return answers;
      const answer = await answerOf(ctx.store.db, notification.id);
      const threads = await threadsFor(ctx, notification, answer?.conversationId, wanting.map(({ r }) => r), wanting[0]!.a);
      return answers.map((a, i) => {
        if (!('message' in a) || a.message.content.reply === undefined) return a;
        const thread = threads.get(recipients[i]!.subscriptionId);
        const { reply: _reply, ...rest } = a.message.content;
        // No thread (an answer to another device's thread): sent as a plain notification.
        if (!thread) return { ...a, message: { ...a.message, content: rest } };
        const replyThread = replyThreadOf(ctx.secrets, ctx.config, thread, thread.reply_title);
        const content: MessageContent = { ...a.message.content, replyThread: answer ? { ...replyThread, answer: answer.seq } : replyThread };
        return { ...a, message: { ...a.message, content } } satisfies Personalised;
      });
    },
  };
}

type Thread = Pick<ConversationsTable, 'id' | 'app_id' | 'notification_id' | 'subscription_id' | 'expires_at' | 'placeholder' | 'reply_title' | 'state'>;

/** The threads of `recipients`: those of the thread `answering` names when the push is an answer, else new ones (or those a first run opened). */
async function threadsFor(ctx: Context, n: PersonalisedNotification, answering: string | undefined, recipients: PersonalRecipient[], first: Personalised): Promise<Map<string, Thread>> {
  const db = ctx.store.db;
  const columns = ['id', 'app_id', 'notification_id', 'subscription_id', 'expires_at', 'placeholder', 'reply_title', 'state'] as const;
  if (answering) {
    const thread = await db.selectFrom('conversations').select([...columns, 'answer_to', 'user_id']).where('id', '=', answering).where('app_id', '=', n.appId).executeTakeFirst();
    // A closed thread takes no more replies: its last answer goes without a reply action.
    if (!thread || thread.state === 'closed') return new Map();
    // answerTo user: each of the user's devices gets a token for this thread bound to its own subscription.
    const mine = recipients.filter((r) => r.subscriptionId === thread.subscription_id || (thread.answer_to === 'user' && r.externalId === thread.user_id));
    return new Map(mine.map((r) => [r.subscriptionId, { ...thread, subscription_id: r.subscriptionId }]));
  }
  const content = 'message' in first ? first.message.content : n.content;
  const reply = content.reply!;
  const now = ctx.now();
  const byUser = new Map(recipients.map((r) => [r.subscriptionId, r.externalId]));
  await db
    .insertInto('conversations')
    .values(
      recipients.map((r) => ({
        id: newId('cnv'),
        app_id: n.appId,
        notification_id: n.id,
        subscription_id: r.subscriptionId,
        user_id: byUser.get(r.subscriptionId) ?? null,
        state: 'open' as const,
        assistant: reply.assistant,
        // answerTo user needs a user to reach: without one the thread's answers go to the device.
        answer_to: reply.answerTo === 'user' && byUser.get(r.subscriptionId) ? ('user' as const) : ('device' as const),
        title: content.title,
        placeholder: reply.placeholder,
        reply_title: reply.title ?? 'Reply',
        next_seq: 1,
        created_at: now,
        updated_at: now,
        expires_at: now + ctx.config.conversationTtl * 1000,
      })),
    )
    .onConflict((oc) => oc.columns(['notification_id', 'subscription_id']).doNothing())
    .execute();
  const rows = await db
    .selectFrom('conversations')
    .select(columns)
    .where('notification_id', '=', n.id)
    .where('subscription_id', 'in', recipients.map((r) => r.subscriptionId))
    .execute();
  return new Map(rows.map((t) => [t.subscription_id, t]));
}
