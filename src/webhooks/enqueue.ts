import type { Transaction } from 'kysely';
import { newId } from '../crypto/tokens.ts';
import type { JobSpec, Queue } from '../queue/queue.ts';
import type { Database } from '../store/schema.ts';
import type { WebhookMessagesTable } from '../store/schema-webhooks.ts';

export const WEBHOOK_JOB = 'webhook.deliver';

/** A deliver job's data: the message, the attempt it makes (0 for the first), and the replay it belongs to (0 before any). */
export interface WebhookJobData {
  messageId: string;
  attempt: number;
  replay: number;
}

/**
 * The job that makes attempt `attempt` of a message. Its key names that one attempt
 * (BullMQ keeps finished keys for a day, so a key must never stand for two pieces of
 * work); the replay number keeps a replay's attempt apart from a retry already queued.
 */
export function attemptJob(data: WebhookJobData, runAt: number): JobSpec {
  return { name: WEBHOOK_JOB, data, runAt, key: `webhook:${data.messageId}:${data.replay}:${data.attempt}` };
}

/** A message as first written: pending, no attempt made. */
export type NewMessage = Pick<WebhookMessagesTable, 'endpoint_id' | 'app_id' | 'type' | 'body' | 'events' | 'first_seq' | 'last_seq' | 'event_at'>;

/** Rows per insert: 18 values each, well under SQLite's bound-variable limit. */
const INSERT_CHUNK = 500;

/**
 * Writes messages and queues their first attempts in the caller's transaction: they
 * exist, and will be sent, exactly when what made them commits.
 */
export async function enqueueMessages(tx: Transaction<Database>, queue: Queue, messages: readonly NewMessage[], now: number): Promise<string[]> {
  const rows = messages.map((m) => ({
    ...m,
    id: newId('msg'),
    created_at: now,
    status: 'pending' as const,
    attempts: 0,
    round: 0,
    replays: 0,
    next_attempt_at: now,
    last_attempt_at: null,
    last_status: null,
    last_duration_ms: null,
    last_error: null,
    delivered_at: null,
  }));
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await tx.insertInto('webhook_messages').values(rows.slice(i, i + INSERT_CHUNK)).execute();
  await queue.add(rows.map((r) => attemptJob({ messageId: r.id, attempt: 0, replay: 0 }, now)), tx);
  return rows.map((r) => r.id);
}
