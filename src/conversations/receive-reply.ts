import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { NotificationAction } from '../message/content.ts';
import type { Database } from '../store/schema.ts';
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
 *
 * A reply with a `choice` is a tapped button of the thread's latest answer (a slot the
 * built-in assistant offered, docs/conversations.md#a-tapped-button), checked against that
 * answer. It goes to the app's webhook whoever answers the thread: booking the slot is the
 * app's to do, and its label is no question for the knowledge base. With no endpoint to
 * take it, the thread waits for a person, as a webhook thread's reply does.
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
      if (earlier.author !== 'user' || earlier.text !== input.text || earlier.choice !== (input.choice ?? null)) {
        throw new ApiError('reply_client_id_reused', `clientId ${input.clientId} was used for another reply in this conversation`, { pointer: '#/clientId' });
      }
      return { conversationId: c.id, state: c.state, message: messageView(earlier) };
    }
    if (c.state === 'closed') throw new ApiError('conversation_closed', 'This conversation is closed');
    const cap = ctx.config.conversationMaxReplies;
    const replies = await tx.selectFrom('conversation_messages').select((eb) => eb.fn.countAll<number>().as('n')).where('conversation_id', '=', c.id).where('author', '=', 'user').executeTakeFirstOrThrow();
    if (Number(replies.n) >= cap) throw new ApiError('conversation_full', `This conversation takes at most ${cap} replies`, { maxReplies: cap });
    if (input.choice !== undefined) await checkChoice(tx, c.id, input.choice, input.text);
    const seq = c.next_seq;
    const row = { conversation_id: c.id, seq, author: 'user' as const, text: input.text, actions: null, client_id: input.clientId, handled_at: null, notification_id: null, created_at: now, choice: input.choice ?? null };
    await tx.insertInto('conversation_messages').values(row).execute();
    let state = c.state;
    let handoff: { handoff_reason: string } | undefined;
    if (c.assistant === 'builtin' && input.choice === undefined) {
      await ctx.queue.add([assistJobSpec(c.id, seq)], tx);
    } else {
      const history = await tx.selectFrom('conversation_messages').select(['seq', 'author', 'text', 'actions', 'choice', 'created_at']).where('conversation_id', '=', c.id).orderBy('seq', 'desc').limit(20).execute();
      const sent = await emitConversationMessage(tx, ctx.queue, c, t.subscriptionId, history.reverse().map(messageView), now);
      // No endpoint takes the event: nobody's server will answer, so a person is asked to.
      if (!sent && state === 'open') {
        state = 'waiting_for_person';
        // The built-in assistant's threads say why, as its own hand-offs do.
        if (c.assistant === 'builtin') handoff = { handoff_reason: CHOICE_UNANSWERED };
      }
      await tx.updateTable('conversation_messages').set({ handled_at: now }).where('conversation_id', '=', c.id).where('seq', '=', seq).execute();
    }
    await tx.updateTable('conversations').set({ next_seq: seq + 1, updated_at: now, state, ...handoff }).where('id', '=', c.id).execute();
    return { conversationId: c.id, state, message: messageView(row) };
  });
}

/** Why a built-in assistant's thread waits for a person after a tapped button (conversations.handoff_reason). */
export const CHOICE_UNANSWERED = 'choice_unanswered: no webhook endpoint of the app takes conversation.message';

/**
 * A choice is a button the user was shown and can still tap: one of the thread's latest
 * answer (an older answer's buttons were replaced by it, as its push replaced theirs), with
 * no `url` (a link opens a page and sends nothing), and the text is its title, as the
 * device shows it. An answer is chosen from once: after a choice follows it, another (the
 * other slot, or the same from a second device) is `reply_choice_taken`, so the app is not
 * asked to book twice; a retry of the choice itself was answered before this, by its clientId.
 * Anything else is refused whole.
 */
async function checkChoice(tx: Transaction<Database>, conversationId: string, choice: string, text: string): Promise<void> {
  const latest = await tx.selectFrom('conversation_messages').select(['seq', 'actions']).where('conversation_id', '=', conversationId).where('author', '!=', 'user').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const buttons = latest?.actions ? (JSON.parse(latest.actions) as NotificationAction[]) : [];
  const button = buttons.find((b) => b.action === choice && b.url === undefined);
  if (!latest || !button) throw new ApiError('reply_choice_unknown', `${choice} is not a button of this conversation's latest answer`, { pointer: '#/choice' });
  if (button.title !== text) throw new ApiError('reply_choice_unknown', `The text of the choice ${choice} is its title, "${button.title}"`, { pointer: '#/choice' });
  const taken = await tx.selectFrom('conversation_messages').select('choice').where('conversation_id', '=', conversationId).where('seq', '>', latest.seq).where('choice', 'is not', null).limit(1).executeTakeFirst();
  if (taken) throw new ApiError('reply_choice_taken', `This answer's choice was made already (${taken.choice}): write a reply to change it`, { pointer: '#/choice', chosen: taken.choice });
}
