import type { Transaction } from 'kysely';
import type { Queue } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { ConversationsTable, MessageAuthor } from '../store/schema-conversations.ts';
import type { NotificationAction } from '../message/content.ts';
import { pushJobSpec } from './job-specs.ts';

export interface NewAnswer {
  author: Exclude<MessageAuthor, 'user'>;
  text: string;
  actions?: NotificationAction[] | undefined;
  /** `answer:<seq>` for the built-in assistant's answer to message seq, so a retried match stores it once. */
  clientId?: string | undefined;
  /** A person's answer: the operator who wrote it (migration 044). */
  operatorId?: string | null | undefined;
}

/**
 * Stores an answer as the thread's next message and queues its push, in the caller's
 * transaction, which holds the thread's row lock and read `c` under it: the push job
 * exists exactly when the answer does.
 */
export async function addAnswer(tx: Transaction<Database>, queue: Queue, c: Pick<ConversationsTable, 'id' | 'next_seq'>, answer: NewAnswer, now: number): Promise<number> {
  const seq = c.next_seq;
  await tx
    .insertInto('conversation_messages')
    .values({
      conversation_id: c.id,
      seq,
      author: answer.author,
      text: answer.text,
      actions: answer.actions?.length ? JSON.stringify(answer.actions) : null,
      client_id: answer.clientId ?? null,
      handled_at: null,
      notification_id: null,
      created_at: now,
      operator_id: answer.operatorId ?? null,
    })
    .execute();
  await tx.updateTable('conversations').set({ next_seq: seq + 1, updated_at: now }).where('id', '=', c.id).execute();
  await queue.add([pushJobSpec(c.id, seq)], tx);
  return seq;
}

/** Takes the thread's row lock for the rest of the transaction (a no-op update, as lockNotification does). */
export async function lockConversation(tx: Transaction<Database>, id: string): Promise<void> {
  await tx.updateTable('conversations').set((eb) => ({ next_seq: eb.ref('next_seq') })).where('id', '=', id).execute();
}
