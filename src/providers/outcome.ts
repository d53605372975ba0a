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
  | {
      kind: 'rejected';
      status?: number;
      reason: string;
      /**
       * Set when the fault is the app's credentials (a secret that does not open, a key
       * that does not parse, a provider refusing our token), not this message or device:
       * every recipient of the app on the channel fails alike until an operator acts, so
       * it is logged at error and counted apart.
       */
      fault?: Fault;
    }
  /** The push service asks us to slow down: retry after the delay it gave. */
  | { kind: 'throttled'; status: number; reason: string; afterMs?: number };

export type OutcomeKind = Outcome['kind'];

/** Why a whole channel of an app fails at once (a closed set, like the outcome kinds). */
export type Fault = 'credentials';

/**
 * Thrown by a sender's credential source when the stored credentials cannot be used (they
 * do not open or do not parse): trying again gives the same answer, so senders turn it
 * into `rejected` outcomes with `fault: 'credentials'` rather than retries.
 */
export class CredentialsUnusableError extends Error {
  override readonly name = 'CredentialsUnusableError';
  readonly code = 'credentials_unusable';

  constructor(
    readonly channel: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The outcome of every recipient whose sender's credentials cannot be used. */
export function credentialsFailure(err: CredentialsUnusableError): Outcome {
  return { kind: 'rejected', reason: err.message, fault: 'credentials' };
}

/**
 * An app's credentials for a batch, or the outcome every recipient gets without them:
 * stored credentials that cannot be used, or none at all. Neither is retried: nothing
 * changes until someone uploads a key, and the reason says so.
 */
export async function credentialsForBatch<T>(channel: string, load: () => Promise<T | undefined>): Promise<{ creds: T } | { failure: Outcome }> {
  try {
    const creds = await load();
    return creds ? { creds } : { failure: { kind: 'rejected', reason: `no ${channel} credentials`, fault: 'credentials' } };
  } catch (err) {
    if (err instanceof CredentialsUnusableError) return { failure: credentialsFailure(err) };
    throw err;
  }
}
