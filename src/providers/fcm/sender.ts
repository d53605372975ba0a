import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { OAuthTokenError } from '../../protocol/fcm/errors.ts';
import type { Http2Pool } from '../../transport/http2-pool.ts';
import { TransportError } from '../../transport/transport-error.ts';
import { poolFor } from '../pool-for.ts';
import { sendPerApp, type OutgoingMessage, type Recipient, type Send, type Sender } from '../channel.ts';
import { credentialsForBatch, type Outcome } from '../outcome.ts';
import type { AccessTokenCache } from './access-token-cache.ts';
import { buildFcmMessageFor } from './build-message.ts';
import { buildFcmRequest } from './build-request.ts';
import { isAccessTokenRefusal, mapFcmResponse } from './map-error.ts';

/** An app's service account, as the sender needs it. */
export interface FcmCredentials {
  projectId: string;
  clientEmail: string;
  privateKeyId: string;
  tokenUri: string;
  key: KeyObject;
  /** Tells keys apart, whatever their ids say. */
  keyFingerprint: string;
}

export interface FcmSenderDeps {
  pool: Http2Pool;
  /**
   * The urgent lane's sessions (a top-priority civic alert, an urgent single send): its own
   * connections and stream slots, so a broadcast's streams to FCM do not hold it. Unset:
   * urgent sends share `pool`.
   */
  urgentPool?: Http2Pool;
  tokens: AccessTokenCache<FcmCredentials>;
  /** The app's service account, or undefined when it has none. */
  credentials(appId: string): Promise<FcmCredentials | undefined>;
  /** `CARILLON_FCM_URL`. */
  fcmUrl: string;
  retryMax: number;
  now: () => number;
  logger?: Logger;
}

interface Attempt {
  outcome: Outcome;
  tokenRefused: boolean;
}

/**
 * Sends each message over shared HTTP/2 sessions to FCM with the app's OAuth 2 access
 * token. A 401 for the token (it was revoked or expired early) gets one more try with a
 * freshly exchanged token, then is recorded as rejected.
 */
export class FcmSender implements Sender {
  constructor(private readonly deps: FcmSenderDeps) {}

  async send(sends: readonly Send[]): Promise<Outcome[]> {
    // A batch is one app's in practice; each app's sends go with its own service account.
    return sendPerApp(sends, (appId, own) => this.#sendApp(appId, own));
  }

  async #sendApp(appId: string, sends: Send[]): Promise<Outcome[]> {
    const loaded = await credentialsForBatch('fcm', () => this.deps.credentials(appId));
    if ('failure' in loaded) return sends.map(() => loaded.failure);
    const { creds } = loaded;
    let token: string;
    try {
      token = await this.deps.tokens.get(creds);
    } catch (err) {
      const outcome = tokenFailure(err);
      this.deps.logger?.warn({ clientEmail: creds.clientEmail, outcome: outcome.kind, reason: (err as Error)?.message }, 'could not get an FCM access token');
      return sends.map(() => outcome);
    }
    const attempts = await Promise.all(sends.map((s) => this.#sendOne(s.recipient, s.message, creds, token)));
    const refused = attempts.flatMap((a, i) => (a.tokenRefused ? [i] : []));
    if (refused.length > 0) {
      this.deps.tokens.invalidate(creds, token);
      let fresh: string | undefined;
      try {
        fresh = await this.deps.tokens.get(creds);
      } catch (err) {
        const outcome = tokenFailure(err);
        refused.forEach((i) => (attempts[i] = { outcome, tokenRefused: false }));
      }
      if (fresh !== undefined && fresh !== token) {
        const again = await Promise.all(refused.map((i) => this.#sendOne(sends[i]!.recipient, sends[i]!.message, creds, fresh)));
        refused.forEach((i, k) => (attempts[i] = again[k]!));
      }
    }
    return attempts.map((a) => a.outcome);
  }

  async close(): Promise<void> {
    // The pool is shared; the runtime closes it.
  }

  async #sendOne(r: Recipient, message: OutgoingMessage, creds: FcmCredentials, token: string): Promise<Attempt> {
    const { now, retryMax, fcmUrl } = this.deps;
    const pool = poolFor(message, this.deps);
    const req = buildFcmRequest(fcmUrl, creds.projectId, token, buildFcmMessageFor(message.id, r.address, message));
    try {
      // One session set per FCM host: the access token travels per request, not per connection.
      const res = await pool.request(req.origin, req.origin, req);
      return { outcome: mapFcmResponse(res.status, res.headers, res.body, now(), retryMax), tokenRefused: isAccessTokenRefusal(res.status, res.body) };
    } catch (err) {
      return { outcome: { kind: 'retry', reason: err instanceof TransportError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err) }, tokenRefused: false };
    }
  }
}

/**
 * The token endpoint refusing the assertion (400 invalid_grant: a deleted key, a wrong
 * clock; 401 unauthorized_client) will refuse it again: rejected. Its outages and network
 * failures are retried.
 */
function tokenFailure(err: unknown): Outcome {
  if (err instanceof OAuthTokenError && err.status >= 400 && err.status < 500) {
    return { kind: 'rejected', status: err.status, reason: `OAuth token refused: ${err.message}`, fault: 'credentials' };
  }
  if (err instanceof OAuthTokenError) return { kind: 'retry', status: err.status, reason: `OAuth token: ${err.message}` };
  return { kind: 'retry', reason: `OAuth token: ${(err as Error)?.message ?? String(err)}` };
}
