import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import type { Config } from '../config/defaults.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { RateLimiter } from '../rate-limit/rate-limiter.ts';
import type { Database } from '../store/schema.ts';
import type { PushTransport } from '../transport/push-transport.ts';
import { createAppPushSenders } from './app-push-senders.ts';
import type { Channel, Sender } from './channel.ts';
import { RateLimitedSender } from './rate-limited-sender.ts';
import type { CryptoPool } from './webpush/crypto-pool.ts';
import { webPushChannel } from './webpush/channel.ts';
import { deliveryRefs } from './webpush/delivery-ref.ts';
import { WebPushSender } from './webpush/sender.ts';
import { vapidSource } from './webpush/vapid-source.ts';

/** ms a batch may wait for its turn under the rate limits before handing its recipients back to the queue. */
const MAX_RATE_WAIT_MS = 10_000;

export interface SendersOptions {
  config: Config;
  db: Kysely<Database>;
  secrets: SecretBox;
  /** Shared by every process of the installation (src/rate-limit/). */
  limiter: RateLimiter;
  /** Owned and closed by the caller; the senders only use it. */
  transport: PushTransport;
  /** Owned and closed by the caller; the senders only use it. */
  crypto: CryptoPool;
  logger: Logger;
  now: () => number;
  /** CA certificates trusted for APNs, FCM and OAuth token endpoints (app-push-senders.ts). */
  ca?: string | Buffer;
}

/**
 * A sender per channel for one worker process, each behind the shared rate limits as its
 * channel counts them (`rateKey`, `rate`, `pausesOnThrottle`).
 */
export function createSenders(opts: SendersOptions): { senders: ReadonlyMap<string, Sender>; close(): Promise<void> } {
  const { config, db, secrets, now } = opts;
  const webpush = new WebPushSender({ transport: opts.transport, crypto: opts.crypto, vapidFor: vapidSource(db, secrets), retryMax: config.retryMax, now, deliveryRef: deliveryRefs(secrets) });
  const appPush = createAppPushSenders({ config, db, secrets, logger: opts.logger, now, ...(opts.ca !== undefined ? { ca: opts.ca } : {}) });
  const channelSenders: [Channel, Sender][] = [[webPushChannel, webpush], ...appPush.senders];
  const senders = new Map<string, Sender>(
    channelSenders.map(([channel, sender]) => [
      channel.name,
      new RateLimitedSender(sender, {
        limiter: opts.limiter,
        keyFor: (r, m) => channel.rateKey(r, m),
        rate: channel.rate(config),
        // A batch waiting longer would risk its job's lease; what is left goes back to the queue.
        maxWaitMs: Math.min(MAX_RATE_WAIT_MS, config.queueLease / 3),
        pauseOnThrottle: channel.pausesOnThrottle,
      }),
    ]),
  );
  return { senders, close: () => appPush.close() };
}
