import type { Kysely } from 'kysely';
import type { Config } from '../config/defaults.ts';
import type { Database } from '../store/schema.ts';
import type { ReplyThread } from '../message/content.ts';
import type { ConversationsTable } from '../store/schema-conversations.ts';
import { makeReplyToken, type ReplyTokenMacs } from './reply-token.ts';

/** The server's public base, as links it hands out use it: publicUrl, else the listening address. */
export function publicBase(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  return (config.publicUrl || `http://${config.host}:${config.port}`).replace(/\/+$/, '');
}

/**
 * What a push into the thread carries for its recipient (src/message/content.ts): the
 * token, where to post a reply, and the reply page, the token in its fragment so that it
 * reaches no server log when the page is opened.
 */
export function replyThreadOf(
  macs: ReplyTokenMacs,
  config: Pick<Config, 'publicUrl' | 'host' | 'port'>,
  c: Pick<ConversationsTable, 'id' | 'app_id' | 'notification_id' | 'subscription_id' | 'expires_at' | 'placeholder'>,
  title: string,
): ReplyThread {
  const token = makeReplyToken(macs, { appId: c.app_id, notificationId: c.notification_id, subscriptionId: c.subscription_id, conversationId: c.id, expiresAt: c.expires_at });
  const base = publicBase(config);
  return { conversationId: c.id, token, endpoint: `${base}/v1/reply`, page: `${base}/reply/${c.id}#${token}`, placeholder: c.placeholder, title };
}

/**
 * Whether a reply token bound to `subscriptionId` may post into the thread: the thread's own
 * device, or with answerTo user (docs/conversations.md#answers-to-all-of-a-users-devices)
 * a subscription its user holds in the app now, which the thread's answers reached with a
 * token of its own. One unsubscribed since, or moved to another user, replies no more.
 */
export async function repliesFrom(db: Kysely<Database>, c: Pick<ConversationsTable, 'app_id' | 'subscription_id' | 'user_id' | 'answer_to'>, subscriptionId: string): Promise<boolean> {
  if (subscriptionId === c.subscription_id) return true;
  if (c.answer_to !== 'user' || c.user_id === null) return false;
  const s = await db.selectFrom('subscriptions').select('id').where('id', '=', subscriptionId).where('app_id', '=', c.app_id).where('user_id', '=', c.user_id).executeTakeFirst();
  return s !== undefined;
}
