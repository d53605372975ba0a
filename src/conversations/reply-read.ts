import { Type, type Static } from '@sinclair/typebox';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { clientKey } from '../rate-limit/client-key.ts';
import { messageView } from './message-view.ts';
import { ConversationMessage } from './reply-input.ts';
import { checkReplyToken } from './reply-token.ts';
import { takeReplyAllowance } from './reply-limits.ts';
import { repliesFrom } from './reply-thread.ts';
import { THREAD_PAGE_MAX } from './thread-messages.ts';

/** The header that carries the reply token to GET /v1/reply/thread: never the query string, which server and proxy logs keep. */
export const REPLY_TOKEN_HEADER = 'carillon-reply-token';

/** What GET /v1/reply/thread shows the holder of a reply token: the thread as its user sees it, nothing else of the app. */
export const ReplyThreadView = Type.Object({
  conversationId: Type.String(),
  state: Type.Union([Type.Literal('open'), Type.Literal('waiting_for_person')], { description: 'A closed thread is refused (conversation_closed)' }),
  title: Type.String({ description: 'The title of the notification the thread began with' }),
  placeholder: Type.String({ description: 'The reply field’s placeholder' }),
  expiresAt: Type.String({ description: 'When the thread stops taking replies' }),
  messages: Type.Array(ConversationMessage, { description: 'In the thread’s order (seq): its last 500 at most' }),
});
export type ReplyThreadView = Static<typeof ReplyThreadView>;

type Log = { warn(obj: object, msg: string): void };

/**
 * Rates a read before anything is read: per client address (`replyPerAddress`, in a bucket
 * of its own, so a page polling for its answer does not spend the address's replies).
 */
export async function limitReplyReadAddress(ctx: Context, address: string, log: Log): Promise<void> {
  await takeReplyAllowance(ctx, `reply:read:address:${clientKey(address)}`, ctx.config.replyPerAddress, 'Too many reads from this address', log);
}

/**
 * The thread of a reply token, for the reply page (docs/conversations.md#the-reply-page),
 * with the checks of POST /v1/reply: the token's tag and expiry without the database, the
 * thread's rate (`replyReadsPerToken`, counted once the token verifies), then the thread
 * must be the token's (its app, notification and device) and not closed.
 */
export async function readReplyThread(ctx: Context, token: string, log: Log): Promise<ReplyThreadView> {
  const check = checkReplyToken(ctx.secrets, token, ctx.now());
  if (!check.ok) {
    if (check.reason === 'expired') throw new ApiError('reply_token_expired', 'This conversation no longer takes replies', { parameter: REPLY_TOKEN_HEADER });
    throw new ApiError('reply_token_invalid', 'The reply token is not valid', { parameter: REPLY_TOKEN_HEADER });
  }
  const t = check.claims;
  await takeReplyAllowance(ctx, `reply:read:thread:${t.conversationId}:${t.subscriptionId}`, ctx.config.replyReadsPerToken, 'Too many reads of this conversation', log);
  const c = await ctx.store.db.selectFrom('conversations').selectAll().where('id', '=', t.conversationId).executeTakeFirst();
  // The thread's device, or with answerTo user another current device of its user, as POST /v1/reply takes.
  if (!c || c.app_id !== t.appId || c.notification_id !== t.notificationId || !(await repliesFrom(ctx.store.db, c, t.subscriptionId))) {
    throw new ApiError('reply_token_invalid', 'The reply token is not valid', { parameter: REPLY_TOKEN_HEADER });
  }
  if (c.state === 'closed') throw new ApiError('conversation_closed', 'This conversation is closed');
  // Its last THREAD_PAGE_MAX messages at most (a thread of the longest holds no more), in order.
  const rows = await ctx.store.db.selectFrom('conversation_messages').select(['seq', 'author', 'text', 'actions', 'choice', 'created_at']).where('conversation_id', '=', c.id).orderBy('seq', 'desc').limit(THREAD_PAGE_MAX).execute();
  rows.reverse();
  return { conversationId: c.id, state: c.state, title: c.title, placeholder: c.placeholder, expiresAt: new Date(Number(c.expires_at)).toISOString(), messages: rows.map(messageView) };
}
