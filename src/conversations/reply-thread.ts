import type { Config } from '../config/defaults.ts';
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
