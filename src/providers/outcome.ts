/**
 * Every provider's answer maps to one of these; retries and pruning are decided from the
 * outcome kind, never from message text.
 */
export type Outcome =
  /** The push service took the message (Web Push 201, APNs 200, FCM 200). */
  | { kind: 'delivered'; status: number }
  /** A transient failure: try again later (5xx, network, timeout). */
  | {
      kind: 'retry';
      status?: number;
      reason: string;
      afterMs?: number;
      /** Held back by Carillon's own rate limit, never sent: no attempt is spent (the TTL still ends it). */
      deferred?: boolean;
    }
  /** The subscription no longer exists: prune it (404/410, Unregistered). */
  | { kind: 'gone'; status: number; reason: string }
  /** Our request is wrong and will stay wrong: record the reason, do not retry. */
  | { kind: 'rejected'; status?: number; reason: string }
  /** The push service asks us to slow down: retry after the delay it gave. */
  | { kind: 'throttled'; status: number; reason: string; afterMs?: number };

export type OutcomeKind = Outcome['kind'];
