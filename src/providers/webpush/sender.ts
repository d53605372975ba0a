import type { PushTransport } from '../../transport/push-transport.ts';
import { EndpointRejectedError } from '../../transport/endpoint-rejected-error.ts';
import { TransportError } from '../../transport/transport-error.ts';
import type { Outcome } from '../outcome.ts';
import { buildWebPushRequest, type WebPushMessageOptions } from './build-request.ts';
import type { CryptoPool } from './crypto-pool.ts';
import { mapWebPushResponse } from './map-error.ts';
import type { VapidTokenCache } from './vapid-cache.ts';

export interface WebPushRecipient {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** Encrypts on the crypto pool, sends over the shared transport, maps each answer to an outcome. */
export class WebPushSender {
  constructor(
    private readonly transport: PushTransport,
    private readonly crypto: CryptoPool,
    private readonly retryMax: number,
    private readonly now: () => number,
  ) {}

  async send(recipients: WebPushRecipient[], plaintext: Uint8Array, vapid: VapidTokenCache, opts: WebPushMessageOptions): Promise<Outcome[]> {
    const bodies = await this.crypto.encryptAll(plaintext, recipients);
    return Promise.all(
      recipients.map(async (r, i): Promise<Outcome> => {
        const body = bodies[i]!;
        if (typeof body === 'string') return { kind: 'rejected', reason: `encryption failed: ${body}` };
        try {
          const req = buildWebPushRequest(r.endpoint, body, vapid.authorization(r.endpoint, this.now()), opts);
          const res = await this.transport.send(req);
          return mapWebPushResponse(res.status, res.headers, res.body, this.now(), this.retryMax);
        } catch (err) {
          if (err instanceof EndpointRejectedError) return { kind: 'rejected', reason: `endpoint refused: ${err.reason}` };
          if (err instanceof TransportError) return { kind: 'retry', reason: `${err.code}: ${err.message}` };
          return { kind: 'retry', reason: String((err as Error)?.message ?? err) };
        }
      }),
    );
  }
}
