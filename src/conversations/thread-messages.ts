import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { messageView } from './message-view.ts';
import type { ConversationMessage } from './reply-input.ts';

/** Messages one read of a thread returns unless asked for fewer (GET …/conversations/{id}?limit). */
export const THREAD_PAGE_DEFAULT = 100;
/** The most it returns: a thread takes conversationMaxReplies (100) replies and as many answers, so two reads show the longest. */
export const THREAD_PAGE_MAX = 500;

/** Which of the thread's messages to read: by default its last `limit`; `after`/`before` a seq, as the client pages. */
export interface ThreadPageQuery {
  limit: number;
  /** Messages with a seq below it, the last `limit` of them. */
  before?: number | undefined;
  /** Messages with a seq above it, the first `limit` of them (the ones a client that has `after` lacks). */
  after?: number | undefined;
}

/** Who of the app's people wrote a `person` message; null when it was written before this was recorded, or by an operator since removed. */
export type MessageOperator = { operatorId: string; email: string } | null;

/** A message as the conversation routes show it: with, on a person's, the operator who wrote it. */
export type ThreadMessage = ConversationMessage & { operator?: MessageOperator };

export interface ThreadPage {
  /** In the thread's order (seq). */
  messages: ThreadMessage[];
  /** The seq to pass as `before` to read the messages before these; null when there are none. */
  earlier: number | null;
  /** The seq to pass as `after` to read the messages after these; null when there are none (yet). */
  later: number | null;
}

/** The message as the routes show it, `row` read with its operator's email (`operator_email`, joined from operators). */
export function threadMessage(row: Parameters<typeof messageView>[0] & { operator_id?: string | null; operator_email?: string | null }): ThreadMessage {
  const view = messageView(row);
  if (row.author !== 'person') return view;
  return { ...view, operator: row.operator_id && row.operator_email ? { operatorId: row.operator_id, email: row.operator_email } : null };
}

/**
 * One page of the thread's messages, in order, bounded by `limit` (a thread's read is never
 * the whole of a long thread at once), with the seqs that read on either side. A client that
 * polls for new messages passes the last seq it has as `after`.
 *
 * A thread's seqs run from 1 to its last (`lastSeq`, next_seq - 1) without a gap: messages
 * are only ever added, and erased with their whole thread. So what lies either side of a
 * page is known from its bounds, without reading it.
 */
export async function threadMessages(db: Kysely<Database>, conversationId: string, lastSeq: number, q: ThreadPageQuery): Promise<ThreadPage> {
  let query = db
    .selectFrom('conversation_messages')
    .leftJoin('operators', 'operators.id', 'conversation_messages.operator_id')
    .selectAll('conversation_messages')
    .select('operators.email as operator_email')
    .where('conversation_messages.conversation_id', '=', conversationId);
  if (q.after !== undefined) query = query.where('conversation_messages.seq', '>', q.after);
  if (q.before !== undefined) query = query.where('conversation_messages.seq', '<', q.before);
  // From `after` forwards; otherwise back from `before` (or the end), the last `limit` put in order.
  const forwards = q.after !== undefined;
  const page = await query.orderBy('conversation_messages.seq', forwards ? 'asc' : 'desc').limit(q.limit).execute();
  if (!forwards) page.reverse();
  const first = page[0]?.seq;
  const last = page.at(-1)?.seq;
  // An empty page (a poll with the last seq as `after`) has its cursors at the bounds it was asked for.
  const earlier = first !== undefined ? (first > 1 ? first : null) : q.after !== undefined && q.after >= 1 && lastSeq >= 1 ? q.after + 1 : null;
  const later = last !== undefined ? (last < lastSeq ? last : null) : q.before !== undefined && lastSeq >= q.before ? q.before - 1 : null;
  return { messages: page.map(threadMessage), earlier, later };
}
