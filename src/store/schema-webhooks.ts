/** Outgoing webhooks' tables (migration 017, src/webhooks/); part of `Database` in schema.ts. */

export interface WebhookEndpointsTable {
  /** wh_... */
  id: string;
  app_id: string;
  url: string;
  description: string;
  /** JSON array of event types; null: every type. */
  events: string | null;
  /** 1 or 0. */
  enabled: number;
  /** Events per request: 1 sends each event alone; more groups them as a `batch` message. */
  batch_size: number;
  /** The signing secret (`whsec_...`), sealed (src/crypto/secret-box.ts). */
  secret: string;
  /** The secret before the last rotation, sealed; it still signs until `previous_secret_until`. */
  previous_secret: string | null;
  previous_secret_until: number | null;
  /** The last activity seq read for this endpoint (src/store/activity-log.ts). */
  cursor_seq: number;
  /** When the current run of failed attempts began; null after a success. */
  failing_since: number | null;
  /** Why Carillon disabled it (`gone`: it answered 410; `failing`: it failed for too long); null when enabled or disabled by the app. */
  disabled_reason: string | null;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export type WebhookMessageStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookMessagesTable {
  /** msg_...: the `webhook-id` header. */
  id: string;
  endpoint_id: string;
  app_id: string;
  /** The event type, or `batch`. */
  type: string;
  /** The exact JSON that is signed and sent. */
  body: string;
  /** Events it carries (1 unless batched). */
  events: number;
  /** The activity rows it was made from; null for events not from the log (webhook.endpoint_disabled). */
  first_seq: number | null;
  last_seq: number | null;
  /** When its (first) event happened. */
  event_at: number;
  created_at: number;
  status: WebhookMessageStatus;
  /** Attempts made so far, across replays. */
  attempts: number;
  /** The attempt count at which the current round of the retry schedule began: 0, or where the last replay found it. */
  round: number;
  /** Replays asked for so far: an attempt made for an earlier one records nothing (its job is stale). */
  replays: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  /** HTTP status of the last attempt; null when no answer came (timeout, refused connection). */
  last_status: number | null;
  last_duration_ms: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

/** One attempt of a webhook message (migration 025): the delivery log's history of it. */
export interface WebhookAttemptsTable {
  message_id: string;
  /** 1, 2, ...: the message's attempts counted across replays. */
  attempt: number;
  /** The message's replay count when it was made: 0 for the first round. */
  replay: number;
  attempted_at: number;
  /** HTTP status; null when no answer came. */
  status: number | null;
  /** Why it failed (`HTTP 503`, `timeout: ...`); null on a 2xx. */
  error: string | null;
  duration_ms: number;
  /** The start of the answer's body (src/webhooks/attempt-log.ts bounds it); null when none came or it was empty. */
  response: string | null;
  /** A `conversation.message` answered in the response's body: what became of the answer (JSON, migration 043); null otherwise. */
  answer: string | null;
  /** When the next attempt is due; null when none follows. */
  next_attempt_at: number | null;
}
