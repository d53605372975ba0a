import type { Transaction } from 'kysely';
import type { Queue } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { ConversationsTable } from '../store/schema-conversations.ts';
import { enqueueMessages } from '../webhooks/enqueue.ts';
import { wants, type ConversationEventType } from '../webhooks/event-types.ts';
import { holderView } from './conversations.ts';
import type { ConversationMessage } from './reply-input.ts';

const TYPE: ConversationEventType = 'conversation.message';

/**
 * Sends a user's message, with the thread's latest messages (the last one is the new
 * message), to the app's enabled webhook endpoints that take `conversation.message`, in the
 * caller's transaction (the outbox): it is sent exactly when the message is stored. False
 * when no endpoint takes it. A thread a person took over is still sent, so the app's server
 * knows of each reply, with `assignee` naming the holder (as the API's thread does): the
 * server does not answer it (docs/conversations.md#the-inbox).
 */
export async function emitConversationMessage(
  tx: Transaction<Database>,
  queue: Queue,
  c: Pick<ConversationsTable, 'id' | 'app_id' | 'notification_id' | 'subscription_id' | 'user_id' | 'state' | 'answer_to' | 'assignee' | 'taken_at' | 'updated_at'>,
  /** The device the message came from: the thread's, or with answerTo user any of its user's. */
  from: string,
  history: ConversationMessage[],
  now: number,
): Promise<boolean> {
  const endpoints = await tx.selectFrom('webhook_endpoints').select(['id', 'events']).where('app_id', '=', c.app_id).where('enabled', '=', 1).execute();
  const targets = endpoints.filter((e) => wants(e.events === null ? null : (JSON.parse(e.events) as string[]), TYPE));
  if (targets.length === 0) return false;
  const holder = c.assignee === null ? undefined : await tx.selectFrom('operators').select('email').where('id', '=', c.assignee).executeTakeFirst();
  const assignee = holderView(c, holder?.email);
  const data = { appId: c.app_id, conversationId: c.id, notificationId: c.notification_id, subscriptionId: from, userId: c.user_id, state: c.state, assignee, answerTo: c.answer_to, message: history[history.length - 1], history };
  const body = JSON.stringify({ type: TYPE, timestamp: new Date(now).toISOString(), data });
  await enqueueMessages(tx, queue, targets.map((e) => ({ endpoint_id: e.id, app_id: c.app_id, type: TYPE, body, events: 1, first_seq: null, last_seq: null, event_at: now })), now);
  return true;
}
