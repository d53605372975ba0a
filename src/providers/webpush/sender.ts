import type { PushTransport } from '../../transport/push-transport.ts';
import { EndpointRejectedError } from '../../transport/endpoint-rejected-error.ts';
import { TransportError } from '../../transport/transport-error.ts';
import { oncePer, type OutcomeListener, type OutgoingMessage, type Recipient, type Send, type Sender } from '../channel.ts';
import { CredentialsUnusableError, credentialsFailure, type Outcome } from '../outcome.ts';
import { SecretUnavailableError } from '../../crypto/secret-box.ts';
import { VapidKeyError } from '../../protocol/webpush/errors.ts';
import { webPushPlaintext } from './build-payload.ts';
import { buildWebPushRequest } from './build-request.ts';
import type { CryptoPool } from './crypto-pool.ts';
import { mapWebPushResponse } from './map-error.ts';
import type { VapidTokenCache } from './vapid-cache.ts';

/** Recipients per encryption task: small enough to start sending early, large enough to amortise a message to the thread. */
const ENCRYPT_CHUNK = 50;

export interface WebPushSenderDeps {
  transport: PushTransport;
  crypto: CryptoPool;
  /** The app's VAPID signer, with its tokens cached per push service origin. */
  vapidFor(appId: string): Promise<VapidTokenCache>;
  retryMax: number;
  now: () => number;
  /**
   * The reference that lets Carillon's own push service report a browser's failed ack
   * (src/delivery/unshown.ts), or undefined for endpoints of other push services.
   */
  deliveryRef?(notificationId: string, recipient: Recipient): string | undefined;
}

/** Encrypts on the crypto pool, sends over the shared transport, maps each answer to an outcome. */
export class WebPushSender implements Sender {
  constructor(private readonly deps: WebPushSenderDeps) {}

  async send(sends: readonly Send[], settled?: OutcomeListener): Promise<Outcome[]> {
    const { transport, crypto, now, retryMax } = this.deps;
    // A batch is one app's in practice; asked per app all the same, so a caller may mix them.
    const vapidOf = oncePer((appId: string) => this.#vapid(appId));
    // The bytes the deliver job's size check built (build-payload.ts), once per distinct message.
    const plaintextOf = oncePer((m: OutgoingMessage) => webPushPlaintext(m.id, m.content));
    const sendOne = async ({ recipient: r, message }: Send, body: Uint8Array | string): Promise<Outcome> => {
      if (typeof body === 'string') return { kind: 'rejected', reason: `encryption failed: ${body}` };
      const vapid = await vapidOf(message.appId);
      if ('failure' in vapid) return vapid.failure;
      try {
        const options = { ttl: message.ttl, urgency: message.urgency, topic: message.topic };
        const deliveryRef = this.deps.deliveryRef?.(message.id, r);
        const request = buildWebPushRequest(r.address, body, vapid.cache.authorization(r.address, now()), deliveryRef ? { ...options, deliveryRef } : options);
        const res = await transport.send(message.lane === 'urgent' ? { ...request, urgent: true } : request);
        return mapWebPushResponse(res.status, res.headers, res.body, now(), retryMax);
      } catch (err) {
        if (err instanceof EndpointRejectedError) return { kind: 'rejected', reason: `endpoint refused: ${err.reason}` };
        if (err instanceof TransportError) return { kind: 'retry', reason: `${err.code}: ${err.message}` };
        return { kind: 'retry', reason: String((err as Error)?.message ?? err) };
      }
    };
    // Every app's key is opened before any encryption: an unusable key fails its sends
    // without spending the crypto threads on them, and an unexpected error throws as before.
    const unusable = new Set<string>();
    for (const id of new Set(sends.map((s) => s.message.appId))) if ('failure' in (await vapidOf(id))) unusable.add(id);
    // Encrypted in small chunks, each sent as soon as its thread hands it back: the crypto
    // threads and the sockets work at the same time instead of taking turns per batch.
    // A chunk carries each distinct payload once, whether it holds one message or fifty.
    const chunks: Promise<Outcome[]>[] = [];
    for (let i = 0; i < sends.length; i += ENCRYPT_CHUNK) {
      const part = sends.slice(i, i + ENCRYPT_CHUNK);
      const plaintexts: Uint8Array[] = [];
      const slot = new Map<Uint8Array, number>();
      const keys = part.flatMap((s) => {
        if (unusable.has(s.message.appId)) return [];
        const p = plaintextOf(s.message);
        if (!slot.has(p)) slot.set(p, plaintexts.push(p) - 1);
        return [{ p256dh: s.recipient.p256dh ?? '', auth: s.recipient.auth ?? '', plaintext: slot.get(p)! }];
      });
      const urgent = part.some((s) => s.message.lane === 'urgent');
      const encrypted = keys.length ? crypto.encryptEach(plaintexts, keys, { urgent }) : Promise.resolve([]);
      chunks.push(
        encrypted.then((bodies) => {
          let b = 0;
          return Promise.all(
            part.map(async (s, k) => {
              const outcome = unusable.has(s.message.appId) ? ((await vapidOf(s.message.appId)) as { failure: Outcome }).failure : await sendOne(s, bodies[b++]!);
              // Each answer is told as it comes: the caller commits them in small groups.
              settled?.(i + k, outcome);
              return outcome;
            }),
          );
        }),
      );
    }
    return (await Promise.all(chunks)).flat();
  }

  /** The app's VAPID signer, or the outcome of every send of the app when its key cannot be used. */
  async #vapid(appId: string): Promise<{ cache: VapidTokenCache } | { failure: Outcome }> {
    try {
      return { cache: await this.deps.vapidFor(appId) };
    } catch (err) {
      // The app's VAPID key does not open (another master key) or does not parse: every
      // recipient would fail the same way on every attempt.
      if (err instanceof SecretUnavailableError || err instanceof VapidKeyError) {
        return { failure: credentialsFailure(new CredentialsUnusableError('webpush', `VAPID key: ${err.message}`, { cause: err })) };
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    // The transport and crypto pool are shared; the runtime closes them.
  }
}
