import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { assistJobSpec } from './job-specs.ts';
import { messageView } from './message-view.ts';
import { limitReplyToken } from './reply-limits.ts';
import type { ReplyAccepted, ReplyInput } from './reply-input.ts';
import { checkReplyToken } from './reply-token.ts';
import { repliesFrom } from './reply-thread.ts';
import { emitConversationMessage } from './webhook-event.ts';

/**
 * A user's reply (POST /v1/reply, docs/conversations.md#post-v1reply). The token is checked
 * first, without the database; then the size, the thread's rate, and in one transaction
 * under the thread's row lock: the thread (it must be the token's, and open to replies),
 * the client id (a retry answers the stored reply again and adds nothing; another text
 * under it is refused), the message at the thread's next seq, and the assistant's work,
 * queued in the same transaction: the built-in assistant's job, or the app's
 * `conversation.message` webhook through the outbox (src/webhooks/enqueue.ts).
 */
export async function receiveReply(ctx: Context, input: ReplyInput, log: { warn(obj: object, msg: string): void }): Promise<ReplyAccepted> {
  const now = ctx.now();
  const check = checkReplyToken(ctx.secrets, input.token, now);
  if (!check.ok) {
    if (check.reason === 'expired') throw new ApiError('reply_token_expired', 'This conversation no longer takes replies', { pointer: '#/token' });
    throw new ApiError('reply_token_invalid', 'The reply token is not valid', { pointer: '#/token' });
  }
  const t = check.claims;
  const max = ctx.config.replyMaxChars;
  // Characters as people count them (code points), not UTF-16 units.
  if ([...input.text].length > max) throw new ApiError('reply_too_long', `A reply holds at most ${max} characters`, { pointer: '#/text', maxChars: max });
  await limitReplyToken(ctx, t.conversationId, t.subscriptionId, log);

  return ctx.store.db.transaction().execute(async (tx) => {
    // The thread's row lock (a no-op update; SQLite's writer lock is the same effect): replies to one thread take turns.
    await tx.updateTable('conversations').set((eb) => ({ next_seq: eb.ref('next_seq') })).where('id', '=', t.conversationId).execute();
    const c = await tx.selectFrom('conversations').selectAll().where('id', '=', t.conversationId).executeTakeFirst();
    if (!c || c.app_id !== t.appId || c.notification_id !== t.notificationId || !(await repliesFrom(tx, c, t.subscriptionId))) {
      throw new ApiError('reply_token_invalid', 'The reply token is not valid', { pointer: '#/token' });
    }
    const earlier = await tx.selectFrom('conversation_messages').selectAll().where('conversation_id', '=', c.id).where('client_id', '=', input.clientId).executeTakeFirst();
    if (earlier) {
      if (earlier.author !== 'user' || earlier.text !== input.text) {
        throw new ApiError('reply_client_id_reused', `clientId ${input.clientId} was used for another reply in this conversation`, { pointer: '#/clientId' });
      }
      return { conversationId: c.id, state: c.state, message: messageView(earlier) };
    }
    if (c.state === 'closed') throw new ApiError('conversation_closed', 'This conversation is closed');
    const cap = ctx.config.conversationMaxReplies;
    const replies = await tx.selectFrom('conversation_messages').select((eb) => eb.fn.countAll<number>().as('n')).where('conversation_id', '=', c.id).where('author', '=', 'user').executeTakeFirstOrThrow();
    if (Number(replies.n) >= cap) throw new ApiError('conversation_full', `This conversation takes at most ${cap} replies`, { maxReplies: cap });
    const seq = c.next_seq;
    const row = { conversation_id: c.id, seq, author: 'user' as const, text: input.text, actions: null, client_id: input.clientId, handled_at: null, notification_id: null, created_at: now };
    await tx.insertInto('conversation_messages').values(row).execute();
    let state = c.state;
    if (c.assistant === 'builtin') {
      await ctx.queue.add([assistJobSpec(c.id, seq)], tx);
    } else {
      const history = await tx.selectFrom('conversation_messages').select(['seq', 'author', 'text', 'actions', 'created_at']).where('conversation_id', '=', c.id).orderBy('seq', 'desc').limit(20).execute();
      const sent = await emitConversationMessage(tx, ctx.queue, c, t.subscriptionId, history.reverse().map(messageView), now);
      // No endpoint takes the event: nobody's server will answer, so a person is asked to.
      if (!sent && state === 'open') state = 'waiting_for_person';
      await tx.updateTable('conversation_messages').set({ handled_at: now }).where('conversation_id', '=', c.id).where('seq', '=', seq).execute();
    }
    await tx.updateTable('conversations').set({ next_seq: seq + 1, updated_at: now, state }).where('id', '=', c.id).execute();
    return { conversationId: c.id, state, message: messageView(row) };
  });
}
