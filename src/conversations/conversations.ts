import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { ConversationState, ConversationsTable } from '../store/schema-conversations.ts';
import { addAnswer, lockConversation } from './answers.ts';
import { messageView } from './message-view.ts';
import type { AnswerInput, ConversationMessage } from './reply-input.ts';

export interface ConversationSummary {
  id: string;
  notificationId: string;
  subscriptionId: string;
  userId: string | null;
  state: ConversationState;
  assistant: 'webhook' | 'builtin';
  title: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

export type ConversationView = ConversationSummary & { messages: ConversationMessage[] };

function summary(c: ConversationsTable): ConversationSummary {
  const iso = (ms: number) => new Date(Number(ms)).toISOString();
  return { id: c.id, notificationId: c.notification_id, subscriptionId: c.subscription_id, userId: c.user_id, state: c.state, assistant: c.assistant, title: c.title, createdAt: iso(c.created_at), updatedAt: iso(c.updated_at), expiresAt: iso(c.expires_at) };
}

function encodeCursor(c: { createdAt: number; id: string }): string {
  return Buffer.from(`c1:${c.createdAt}:${c.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const m = /^c1:(\d{1,15}):(cnv_[A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { createdAt: Number(m[1]), id: m[2]! };
}

/** The app's conversations, newest first, by cursor; `state` keeps those in one state. */
export async function listConversations(ctx: Context, appId: string, opts: { limit: number; cursor?: string | undefined; state?: ConversationState | undefined }): Promise<{ data: ConversationSummary[]; next: string | null }> {
  let q = ctx.store.db.selectFrom('conversations').selectAll().where('app_id', '=', appId);
  if (opts.state !== undefined) q = q.where('state', '=', opts.state);
  if (opts.cursor !== undefined) {
    const before = decodeCursor(opts.cursor);
    q = q.where((eb) => eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]));
  }
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { data: page.map(summary), next: rows.length > opts.limit && last ? encodeCursor({ createdAt: Number(last.created_at), id: last.id }) : null };
}

async function find(ctx: Context, appId: string, id: string): Promise<ConversationsTable> {
  const c = await ctx.store.db.selectFrom('conversations').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!c) throw new ApiError('conversation_not_found', `No conversation ${id} in this app`);
  return c;
}

/** One conversation and its messages in the thread's order. */
export async function getConversation(ctx: Context, appId: string, id: string): Promise<ConversationView> {
  const c = await find(ctx, appId, id);
  const messages = await ctx.store.db.selectFrom('conversation_messages').selectAll().where('conversation_id', '=', id).orderBy('seq').execute();
  return { ...summary(c), messages: messages.map(messageView) };
}

/** Closes the thread: no more replies or answers. Closing a closed thread changes nothing. */
export async function closeConversation(ctx: Context, appId: string, id: string): Promise<ConversationView> {
  await find(ctx, appId, id);
  await ctx.store.db.updateTable('conversations').set({ state: 'closed', updated_at: ctx.now() }).where('id', '=', id).where('state', '!=', 'closed').execute();
  return getConversation(ctx, appId, id);
}

/**
 * The app's answer (its assistant behind the webhook, or a person): the thread's next
 * message, pushed to the device that replied (push-job.ts). The thread's state is left as it
 * is: a thread waiting for a person keeps the built-in assistant out until it is closed.
 */
export async function answerConversation(ctx: Context, appId: string, id: string, input: AnswerInput, author: 'assistant' | 'person'): Promise<ConversationMessage> {
  await find(ctx, appId, id);
  const now = ctx.now();
  return ctx.store.db.transaction().execute(async (tx) => {
    await lockConversation(tx, id);
    const c = await tx.selectFrom('conversations').select(['id', 'next_seq', 'state']).where('id', '=', id).executeTakeFirstOrThrow();
    if (c.state === 'closed') throw new ApiError('conversation_closed', 'This conversation is closed');
    const seq = await addAnswer(tx, ctx.queue, c, { author, text: input.text, actions: input.actions }, now);
    return messageView({ seq, author, text: input.text, actions: input.actions?.length ? JSON.stringify(input.actions) : null, created_at: now });
  });
}
