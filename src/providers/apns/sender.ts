import type { Logger } from 'pino';
import type { Http2Pool } from '../../transport/http2-pool.ts';
import { TransportError } from '../../transport/transport-error.ts';
import { poolFor } from '../pool-for.ts';
import { sendPerApp, oncePer, type OutgoingMessage, type Recipient, type Send, type Sender } from '../channel.ts';
import { credentialsForBatch, type Outcome } from '../outcome.ts';
import { buildApnsPayloadFor } from './build-payload.ts';
import { ApnsProtocolError } from '../../protocol/apns/errors.ts';
import { buildApnsRequest, type ApnsRequest } from './build-request.ts';
import { isProviderTokenRefusal, mapApnsResponse } from './map-error.ts';
import { cacheKey, type ProviderTokenCache, type ProviderTokenKey } from './provider-token-cache.ts';

/** An app's APNs token key, as the sender needs it. */
export interface ApnsCredentials extends ProviderTokenKey {
  /** The bundle id used when a device registered none. */
  topic: string;
}

export interface ApnsSenderDeps {
  pool: Http2Pool;
  /**
   * The urgent lane's sessions (a top-priority civic alert, an urgent single send): its own
   * connections and stream slots, so a broadcast's streams to APNs do not hold it. Unset:
   * urgent sends share `pool`.
   */
  urgentPool?: Http2Pool;
  tokens: ProviderTokenCache;
  /** The app's credentials, or undefined when it has none. */
  credentials(appId: string): Promise<ApnsCredentials | undefined>;
  /** `CARILLON_APNS_URL`. */
  apnsUrl: string;
  retryMax: number;
  now: () => number;
  logger?: Logger;
}

interface Attempt {
  outcome: Outcome;
  /** APNs refused the provider token rather than the message. */
  tokenRefused: boolean;
}

/**
 * Sends over long-lived HTTP/2 sessions, one provider token per team key. When APNs
 * refuses the token (403 ExpiredProviderToken, InvalidProviderToken), the refused
 * messages are sent once more with a fresh token, then recorded as rejected.
 */
export class ApnsSender implements Sender {
  constructor(private readonly deps: ApnsSenderDeps) {}

  async send(sends: readonly Send[]): Promise<Outcome[]> {
    // A batch is one app's in practice; each app's sends go with its own key.
    return sendPerApp(sends, (appId, own) => this.#sendApp(appId, own));
  }

  async #sendApp(appId: string, sends: Send[]): Promise<Outcome[]> {
    const loaded = await credentialsForBatch('apns', () => this.deps.credentials(appId));
    if ('failure' in loaded) return sends.map(() => loaded.failure);
    const { creds } = loaded;
    // One JSON build per distinct message: a plain notification builds once per batch.
    const payloadOf = oncePer((m: OutgoingMessage) => Buffer.from(JSON.stringify(buildApnsPayloadFor(m.id, m.content))));
    const { tokens, now } = this.deps;

    const first = tokens.authorization(creds, now());
    const attempts = await Promise.all(sends.map((s) => this.#sendOne(s.recipient, s.message, creds, first, payloadOf(s.message))));
    const refused = attempts.flatMap((a, i) => (a.tokenRefused ? [i] : []));
    if (refused.length > 0 && tokens.replaceRefused(creds, first, now())) {
      this.deps.logger?.warn({ teamId: creds.teamId, keyId: creds.keyId, refused: refused.length }, 'APNs refused the provider token; sending again with a new one');
      const fresh = tokens.authorization(creds, now());
      const again = await Promise.all(refused.map((i) => this.#sendOne(sends[i]!.recipient, sends[i]!.message, creds, fresh, payloadOf(sends[i]!.message))));
      refused.forEach((i, k) => (attempts[i] = again[k]!));
    }
    return attempts.map((a) => a.outcome);
  }

  async close(): Promise<void> {
    // The pool is shared; the runtime closes it.
  }

  async #sendOne(r: Recipient, message: OutgoingMessage, creds: ApnsCredentials, authorization: string, payload: Buffer): Promise<Attempt> {
    const { now, retryMax, apnsUrl } = this.deps;
    const pool = poolFor(message, this.deps);
    let req: ApnsRequest;
    try {
      req = buildApnsRequest(r, message, { apnsUrl, defaultTopic: creds.topic, authorization, payload, nowMs: now() });
    } catch (err) {
      if (err instanceof ApnsProtocolError) return { outcome: { kind: 'rejected', reason: err.message }, tokenRefused: false };
      throw err;
    }
    try {
      const res = await pool.request(`${req.origin} ${cacheKey(creds)}`, req.origin, req);
      return { outcome: mapApnsResponse(res.status, res.headers, res.body, now(), retryMax), tokenRefused: isProviderTokenRefusal(res.status, res.body) };
    } catch (err) {
      if (err instanceof TransportError && err.code === 'invalid_request') return { outcome: { kind: 'rejected', reason: err.message }, tokenRefused: false };
      // The connection broke or timed out: APNs may or may not have the message; send it
      // again (at least once; the app drops a copy by `id`, APNs collapses by apns-collapse-id).
      return { outcome: { kind: 'retry', reason: err instanceof TransportError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err) }, tokenRefused: false };
    }
  }
}
