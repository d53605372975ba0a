import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';

/** A 2xx answer to a webhook message, as the endpoint gave it. */
export interface DeliveredResponse {
  status: number;
  /** Lower-case header names (src/transport's PushResponse). */
  headers: Record<string, string>;
  /** The start of the body that the transport keeps (2 KB), decoded as UTF-8. */
  body: string;
}

/** What became of the body, kept on the attempt's line of the delivery log. */
export interface ResponseNote {
  outcome: string;
  [detail: string]: string | number;
}

/**
 * What an event type makes of an endpoint's 2xx answer to its message, beyond "delivered"
 * (a `conversation.message` answered in the response's body, src/conversations/sync-answer.ts).
 * It runs in the transaction that records the attempt, once the attempt's compare-and-set
 * won, so a job run twice reads the body once; what it writes commits with the attempt or
 * not at all. Undefined: nothing to note. Event types without a hook keep ignoring bodies.
 */
export interface WebhookResponseHook {
  delivered(tx: Transaction<Database>, message: { id: string; app_id: string; type: string; body: string }, response: DeliveredResponse, now: number): Promise<ResponseNote | undefined>;
}

/** The hooks by event type. */
export type WebhookResponseHooks = Readonly<Record<string, WebhookResponseHook>>;
