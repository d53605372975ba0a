import { TypeCompiler } from '@sinclair/typebox/compiler';
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Queue } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { DeliveredResponse, WebhookResponseHook } from '../webhooks/index.ts';
import { addAnswer, lockConversation } from './answers.ts';
import { AnswerInput } from './reply-input.ts';

/**
 * Bytes of a body read as an answer. The webhook transport keeps the first 2,048 bytes of a
 * response (src/transport/push-transport.ts); a body longer than this cap may have been cut,
 * so it is refused whole rather than read in part. A longer answer is posted to
 * POST .../conversations/{id}/messages instead.
 */
export const SYNC_ANSWER_MAX_BYTES = 2000;

/** What became of the body of a 2xx answer to `conversation.message` (the delivery log's `answer`). */
export type SyncAnswerNote =
  | { outcome: 'answered'; seq: number }
  | { outcome: 'duplicate'; seq: number }
  | { outcome: 'invalid' | 'ignored' | 'closed' | 'held' | 'failed'; reason: string };

const checkAnswer = TypeCompiler.Compile(AnswerInput);

/** The body read as an answer, or why it is not one. Undefined for an empty body: the app answers later. */
export function readSyncAnswer(response: DeliveredResponse): { ok: true; answer: AnswerInput } | { ok: false; note: SyncAnswerNote } | undefined {
  if (response.status === 204 || response.body.trim() === '') return undefined;
  const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, note: { outcome: 'ignored', reason: `the body is ${type || 'untyped'}, not application/json: not read as an answer` } };
  const length = Number(response.headers['content-length'] ?? Buffer.byteLength(response.body, 'utf8'));
  if (length > SYNC_ANSWER_MAX_BYTES || Buffer.byteLength(response.body, 'utf8') > SYNC_ANSWER_MAX_BYTES) {
    return { ok: false, note: { outcome: 'invalid', reason: `the body passes ${SYNC_ANSWER_MAX_BYTES} bytes; post a longer answer to .../messages` } };
  }
  let value: unknown;
  try {
    value = JSON.parse(response.body);
  } catch {
    return { ok: false, note: { outcome: 'invalid', reason: 'the body is not JSON' } };
  }
  if (checkAnswer.Check(value)) return { ok: true, answer: value };
  const first = checkAnswer.Errors(value).First();
  // The same pointers as the messages route's problems (#/text, #/actions/0/url).
  return { ok: false, note: { outcome: 'invalid', reason: first ? `#${first.path}: ${first.message}` : 'not an answer {text, actions?}' } };
}

/**
 * The app's answer given in the body of its endpoint's 2xx response to `conversation.message`
 * (docs/webhooks.md#answering-in-the-response): the thread's next message, pushed like one
 * posted to .../messages. It is stored under the client id `answer:<seq>` of the user's
 * message it answers, as the built-in assistant's answer is, so a replay of the delivery, or a
 * second endpoint taking the same event, adds no second answer: the first valid one wins. A
 * closed thread takes none (noted, not retried); the delivery stays delivered whatever the body.
 *
 * The answer is taken under a savepoint of the transaction that records the attempt: should
 * storing it throw, only the answer is undone (PostgreSQL would refuse every later statement
 * of the transaction otherwise), the attempt is recorded all the same, once, with the
 * outcome `failed`, and the thread waits for a person (`handoff_reason` `answer_failed`).
 * Rolled back with the attempt, the delivery would have been sent again, to be answered again.
 * A transient PostgreSQL error (a deadlock, a serialization failure, a lock or statement
 * timeout) is not the answer's fault: it is thrown on, the attempt rolls back with it and
 * the delivery is retried, as any other transient failure of the transaction is.
 */
export function syncAnswerHook(queue: Queue, log: Pick<Logger, 'error'>): WebhookResponseHook {
  return {
    async delivered(tx, message, response, now) {
      const read = readSyncAnswer(response);
      if (read === undefined) return undefined;
      if (!read.ok) return read.note;
      const event = JSON.parse(message.body) as { data?: { conversationId?: unknown; message?: { seq?: unknown } } };
      const id = event.data?.conversationId;
      const seq = event.data?.message?.seq;
      if (typeof id !== 'string' || typeof seq !== 'number') return { outcome: 'ignored', reason: 'the event names no conversation message' };
      const taken = await underSavepoint(tx, 'sync_answer', () => take(tx, queue, message.app_id, id, seq, read.answer, now));
      if (taken.ok) return taken.value;
      log.error({ err: taken.error, conversation: id, message: message.id }, 'the answer in a webhook response could not be stored: the thread waits for a person');
      const handedOff = await underSavepoint(tx, 'sync_answer_handoff', () => handOff(tx, message.app_id, id, now));
      if (handedOff.ok && handedOff.value) return { outcome: 'failed', reason: 'the answer could not be stored: the thread waits for a person' };
      if (!handedOff.ok) log.error({ err: handedOff.error, conversation: id }, 'the thread could not be handed to a person');
      return { outcome: 'failed', reason: 'the answer could not be stored' };
    },
  };
}

/**
 * The thread waits for a person after its answer failed: true when it does now, one already
 * waiting included; false when the update found no such thread open (closed meanwhile, gone).
 */
async function handOff(tx: Transaction<Database>, appId: string, id: string, now: number): Promise<boolean> {
  const r = await tx.updateTable('conversations').set({ state: 'waiting_for_person', handoff_reason: 'answer_failed', updated_at: now }).where('id', '=', id).where('app_id', '=', appId).where('state', '=', 'open').executeTakeFirst();
  if (r.numUpdatedRows > 0n) return true;
  const c = await tx.selectFrom('conversations').select('state').where('id', '=', id).where('app_id', '=', appId).executeTakeFirst();
  return c?.state === 'waiting_for_person';
}

/**
 * PostgreSQL's transient errors (SQLSTATE): deadlock_detected, serialization_failure,
 * lock_not_available, query_canceled (statement_timeout). Another attempt of the whole
 * transaction may well succeed, so they are not caught by a savepoint.
 */
const TRANSIENT_SQLSTATES = new Set(['40P01', '40001', '55P03', '57014']);

function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && TRANSIENT_SQLSTATES.has(code);
}

/**
 * `fn`'s writes, or none of them and its error: a savepoint keeps the rest of the transaction
 * usable. A transient error is thrown on (the transaction is retried whole), and so is an error
 * after which the savepoint is gone: SQLite rolls the whole transaction back on some errors
 * (SQLITE_FULL, a trigger's RAISE(ROLLBACK)), and its "no such savepoint" would hide them.
 */
async function underSavepoint<T>(tx: Transaction<Database>, name: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  await sql`savepoint ${sql.id(name)}`.execute(tx);
  try {
    const value = await fn();
    await sql`release savepoint ${sql.id(name)}`.execute(tx);
    return { ok: true, value };
  } catch (error) {
    if (isTransient(error)) throw error;
    try {
      await sql`rollback to savepoint ${sql.id(name)}`.execute(tx);
      await sql`release savepoint ${sql.id(name)}`.execute(tx);
    } catch {
      throw error;
    }
    return { ok: false, error };
  }
}

async function take(tx: Transaction<Database>, queue: Queue, appId: string, id: string, seq: number, answer: AnswerInput, now: number): Promise<SyncAnswerNote> {
  await lockConversation(tx, id);
  const c = await tx.selectFrom('conversations').select(['id', 'app_id', 'next_seq', 'state', 'assignee']).where('id', '=', id).executeTakeFirst();
  if (!c || c.app_id !== appId) return { outcome: 'ignored', reason: 'the conversation is gone' };
  const clientId = `answer:${seq}`;
  const earlier = await tx.selectFrom('conversation_messages').select('seq').where('conversation_id', '=', id).where('client_id', '=', clientId).executeTakeFirst();
  if (earlier) return { outcome: 'duplicate', seq: earlier.seq };
  if (c.state === 'closed') return { outcome: 'closed', reason: 'the conversation is closed: the answer was dropped' };
  // A person took the thread over: the app's server answers it no more (conversation_held on POST …/messages).
  if (c.assignee !== null) return { outcome: 'held', reason: 'a person holds the conversation: the answer was dropped' };
  const stored = await addAnswer(tx, queue, c, { author: 'assistant', text: answer.text, actions: answer.actions, clientId }, now);
  return { outcome: 'answered', seq: stored };
}
