import type { PushTransport } from '../../transport/push-transport.ts';
import { EndpointRejectedError } from '../../transport/endpoint-rejected-error.ts';
import { TransportError } from '../../transport/transport-error.ts';
import type { OutcomeListener, OutgoingMessage, Recipient, Sender } from '../channel.ts';
import { CredentialsUnusableError, credentialsFailure, type Outcome } from '../outcome.ts';
import { SecretUnavailableError } from '../../crypto/secret-box.ts';
import { VapidKeyError } from '../../protocol/webpush/errors.ts';
import { buildWebPushPayload } from './build-payload.ts';
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

  async send(recipients: Recipient[], message: OutgoingMessage, settled?: OutcomeListener): Promise<Outcome[]> {
    const { transport, crypto, now, retryMax } = this.deps;
    let vapid: VapidTokenCache;
    try {
      vapid = await this.deps.vapidFor(message.appId);
    } catch (err) {
      // The app's VAPID key does not open (another master key) or does not parse: every
      // recipient would fail the same way on every attempt.
      if (err instanceof SecretUnavailableError || err instanceof VapidKeyError) {
        const unusable = new CredentialsUnusableError('webpush', `VAPID key: ${err.message}`, { cause: err });
        return recipients.map(() => credentialsFailure(unusable));
      }
      throw err;
    }
    const plaintext = Buffer.from(JSON.stringify(buildWebPushPayload(message.id, message.content)));
    const options = { ttl: message.ttl, urgency: message.urgency, topic: message.topic };
    const sendOne = async (r: Recipient, body: Uint8Array | string): Promise<Outcome> => {
      if (typeof body === 'string') return { kind: 'rejected', reason: `encryption failed: ${body}` };
      try {
        const deliveryRef = this.deps.deliveryRef?.(message.id, r);
        const request = buildWebPushRequest(r.address, body, vapid.authorization(r.address, now()), deliveryRef ? { ...options, deliveryRef } : options);
        const res = await transport.send(request);
        return mapWebPushResponse(res.status, res.headers, res.body, now(), retryMax);
      } catch (err) {
        if (err instanceof EndpointRejectedError) return { kind: 'rejected', reason: `endpoint refused: ${err.reason}` };
        if (err instanceof TransportError) return { kind: 'retry', reason: `${err.code}: ${err.message}` };
        return { kind: 'retry', reason: String((err as Error)?.message ?? err) };
      }
    };
    // Encrypted in small chunks, each sent as soon as its thread hands it back: the crypto
    // threads and the sockets work at the same time instead of taking turns per batch.
    const chunks: Promise<Outcome[]>[] = [];
    for (let i = 0; i < recipients.length; i += ENCRYPT_CHUNK) {
      const part = recipients.slice(i, i + ENCRYPT_CHUNK);
      chunks.push(
        crypto
          .encrypt(plaintext, part.map((r) => ({ p256dh: r.p256dh ?? '', auth: r.auth ?? '' })))
          .then((bodies) =>
            Promise.all(
              part.map(async (r, k) => {
                const outcome = await sendOne(r, bodies[k]!);
                // Each answer is told as it comes: the caller commits them in small groups.
                settled?.(i + k, outcome);
                return outcome;
              }),
            ),
          ),
      );
    }
    return (await Promise.all(chunks)).flat();
  }

  async close(): Promise<void> {
    // The transport and crypto pool are shared; the runtime closes them.
  }
}
