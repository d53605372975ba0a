import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import type { AnswerTo, ConversationState, ConversationsTable } from '../store/schema-conversations.ts';
import { addAnswer, lockConversation } from './answers.ts';
import type { AnswerInput } from './reply-input.ts';
import { THREAD_PAGE_DEFAULT, threadMessage, threadMessages, type ThreadMessage, type ThreadPage, type ThreadPageQuery } from './thread-messages.ts';

export interface ConversationSummary {
  id: string;
  notificationId: string;
  subscriptionId: string;
  userId: string | null;
  state: ConversationState;
  assistant: 'webhook' | 'builtin';
  title: string;
  /** The person who took the thread over from the assistant (take-over.ts); null while no one holds it. */
  assignee: { operatorId: string; email: string; takenAt: string } | null;
  /** Why the thread was last handed to a person (`low_confidence`, `intent_unreachable: …`); null when it never was. */
  handoffReason: string | null;
  /** Where its answers are pushed, as the notification's `reply.answerTo` chose when it opened. */
  answerTo: AnswerTo;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
}

/** The thread with one page of its messages (thread-messages.ts). */
export type ConversationView = ConversationSummary & ThreadPage;

type Row = ConversationsTable & { assignee_email: string | null };

function summary(c: Row): ConversationSummary {
  const iso = (ms: number) => new Date(Number(ms)).toISOString();
  return { id: c.id, notificationId: c.notification_id, subscriptionId: c.subscription_id, userId: c.user_id, state: c.state, assistant: c.assistant, title: c.title, assignee: holderView(c, c.assignee_email), handoffReason: c.handoff_reason, answerTo: c.answer_to, createdAt: iso(c.created_at), updatedAt: iso(c.updated_at), expiresAt: iso(c.expires_at) };
}

/** The person who holds the thread, as the API and the conversation.message event show it: null while no one does (or their operator row, `email`, is gone). */
export function holderView(c: Pick<ConversationsTable, 'assignee' | 'taken_at' | 'updated_at'>, email: string | null | undefined): ConversationSummary['assignee'] {
  if (c.assignee === null || email === null || email === undefined) return null;
  return { operatorId: c.assignee, email, takenAt: new Date(Number(c.taken_at ?? c.updated_at)).toISOString() };
}

/** The app's threads with their holder's email (the operator's row, while one holds the thread). */
function threads(ctx: Context, appId: string) {
  return ctx.store.db
    .selectFrom('conversations')
    .leftJoin('operators', 'operators.id', 'conversations.assignee')
    .selectAll('conversations')
    .select('operators.email as assignee_email')
    .where('conversations.app_id', '=', appId);
}

function encodeCursor(c: { createdAt: number; id: string }): string {
  return Buffer.from(`c1:${c.createdAt}:${c.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const m = /^c1:(\d{1,15}):(cnv_[A-Za-z0-9_-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw new ApiError('invalid_cursor', 'The cursor was not issued by this server');
  return { createdAt: Number(m[1]), id: m[2]! };
}

/**
 * The app's conversations, newest first, by cursor; `state` keeps those in one state,
 * `assignee` those one operator holds (their id) or no one holds (`null`).
 */
export async function listConversations(
  ctx: Context,
  appId: string,
  opts: { limit: number; cursor?: string | undefined; state?: ConversationState | undefined; assignee?: string | null | undefined },
): Promise<{ data: ConversationSummary[]; next: string | null }> {
  let q = threads(ctx, appId);
  if (opts.state !== undefined) q = q.where('conversations.state', '=', opts.state);
  if (opts.assignee === null) q = q.where('conversations.assignee', 'is', null);
  else if (opts.assignee !== undefined) q = q.where('conversations.assignee', '=', opts.assignee);
  if (opts.cursor !== undefined) {
    const before = decodeCursor(opts.cursor);
    q = q.where((eb) => eb.or([eb('conversations.created_at', '<', before.createdAt), eb.and([eb('conversations.created_at', '=', before.createdAt), eb('conversations.id', '<', before.id)])]));
  }
  const rows = await q.orderBy('conversations.created_at', 'desc').orderBy('conversations.id', 'desc').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { data: page.map(summary), next: rows.length > opts.limit && last ? encodeCursor({ createdAt: Number(last.created_at), id: last.id }) : null };
}

/** The thread, or conversation_not_found when the app has none by this id. */
export async function findConversation(ctx: Context, appId: string, id: string): Promise<ConversationsTable> {
  const c = await ctx.store.db.selectFrom('conversations').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!c) throw new ApiError('conversation_not_found', `No conversation ${id} in this app`);
  return c;
}

/** One conversation and a page of its messages in the thread's order (by default its last THREAD_PAGE_DEFAULT). */
export async function getConversation(ctx: Context, appId: string, id: string, page: ThreadPageQuery = { limit: THREAD_PAGE_DEFAULT }): Promise<ConversationView> {
  const c = await threads(ctx, appId).where('conversations.id', '=', id).executeTakeFirst();
  if (!c) throw new ApiError('conversation_not_found', `No conversation ${id} in this app`);
  return { ...summary(c), ...(await threadMessages(ctx.store.db, id, c.next_seq - 1, page)) };
}

/**
 * Closes the thread: no more replies or answers. It lets go of its holder too (the inbox
 * lists it under Closed, not under anyone's Mine); who answered stays on each of their
 * messages (`operator`). Closing a closed thread changes nothing.
 */
export async function closeConversation(ctx: Context, appId: string, id: string): Promise<ConversationView> {
  await findConversation(ctx, appId, id);
  await ctx.store.db.updateTable('conversations').set({ state: 'closed', assignee: null, taken_at: null, updated_at: ctx.now() }).where('id', '=', id).where('state', '!=', 'closed').execute();
  return getConversation(ctx, appId, id);
}

/** Who writes an answer: the app's assistant (an API key), or a signed-in person, recorded on the message. */
export type AnswerAuthor = { author: 'assistant' } | { author: 'person'; operatorId: string; email: string };

/**
 * The app's answer (its assistant behind the webhook, or a person): the thread's next
 * message, pushed to the device that replied (push-job.ts). The thread's state is left as it
 * is: a thread waiting for a person keeps the built-in assistant out until it is closed. A
 * thread a person holds (take-over.ts) takes answers from that person only:
 * `conversation_held` for the app's assistant and for anyone else.
 */
export async function answerConversation(ctx: Context, appId: string, id: string, input: AnswerInput, by: AnswerAuthor): Promise<ThreadMessage> {
  await findConversation(ctx, appId, id);
  const now = ctx.now();
  const author = by.author;
  return ctx.store.db.transaction().execute(async (tx) => {
    await lockConversation(tx, id);
    const c = await tx.selectFrom('conversations').select(['id', 'next_seq', 'state', 'assignee']).where('id', '=', id).executeTakeFirstOrThrow();
    if (c.state === 'closed') throw new ApiError('conversation_closed', 'This conversation is closed');
    if (c.assignee !== null && (by.author === 'assistant' || by.operatorId !== c.assignee)) await refuseHeld(tx, c.assignee);
    const operatorId = by.author === 'person' ? by.operatorId : null;
    const seq = await addAnswer(tx, ctx.queue, c, { author, text: input.text, actions: input.actions, operatorId }, now);
    const actions = input.actions?.length ? JSON.stringify(input.actions) : null;
    return threadMessage({ seq, author, text: input.text, actions, created_at: now, operator_id: operatorId, operator_email: by.author === 'person' ? by.email : null });
  });
}

/** conversation_held, naming the person who holds the thread (`assignee`, their email); `detail` says what the caller may do instead. */
export async function refuseHeld(
  db: Pick<Kysely<Database>, 'selectFrom'>,
  operatorId: string,
  detail = (email: string) => `${email} has taken this conversation over: it is theirs to answer until it is handed back`,
): Promise<never> {
  const holder = await db.selectFrom('operators').select('email').where('id', '=', operatorId).executeTakeFirst();
  const email = holder?.email ?? operatorId;
  throw new ApiError('conversation_held', detail(email), { assignee: email });
}
