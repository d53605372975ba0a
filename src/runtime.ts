import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { vapidContext } from './apps/apps.ts';
import { cryptoThreadCount, type Config } from './config/defaults.ts';
import type { Context } from './context.ts';
import { resolveMasterKey } from './crypto/master-key.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { checkMasterKey } from './crypto/key-check.ts';
import { runDeliver } from './delivery/deliver.ts';
import { DELIVER_JOB } from './delivery/batches.ts';
import { runFanout } from './delivery/fanout.ts';
import { reconcile } from './delivery/reconcile.ts';
import { carillonEndpointToken, signDeliveryRef } from './delivery/unshown.ts';
import { DeliveryMetrics } from './delivery/metrics.ts';
import { FANOUT_JOB } from './notifications/notifications.ts';
import { vapidSigningKey } from './protocol/webpush/vapid.ts';
import { createAppPushSenders } from './providers/app-push-senders.ts';
import type { Recipient, Sender } from './providers/channel.ts';
import { CryptoPool } from './providers/webpush/crypto-pool.ts';
import { WebPushSender } from './providers/webpush/sender.ts';
import { VapidTokenCache } from './providers/webpush/vapid-cache.ts';
import { BullmqQueue } from './queue/bullmq-queue.ts';
import { EmbeddedQueue } from './queue/embedded-queue.ts';
import { openStore } from './store/database.ts';
import { PushTransport } from './transport/push-transport.ts';
import { MemoryRateLimiter, type RateLimiter } from './rate-limit/rate-limiter.ts';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.ts';
import { RateLimitedSender, rateLimitKey } from './providers/rate-limited-sender.ts';

/** ms a batch may wait for its turn under the rate limits before handing its recipients back to the queue. */
const MAX_RATE_WAIT_MS = 10_000;

export interface Runtime {
  ctx: Context;
  app: FastifyInstance;
  metrics: DeliveryMetrics;
  /** Starts taking delivery jobs. */
  startWorkers(): void;
  /** Stops taking jobs, finishes the running ones, closes connections and the store. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  now?: () => number;
  /** Prefix of the queue's Redis keys, when config.redisUrl is set; one per deployment sharing a Redis. */
  queuePrefix?: string;
  /** CA certificates trusted for APNs, FCM and OAuth token endpoints instead of Node's roots (simulators in tests). */
  providerCa?: string | Buffer;
}

/** Builds everything one Carillon process needs from its config. Nothing listens yet. */
export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] });
  const now = opts.now ?? Date.now;
  const store = await openStore({ databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  const secrets = new SecretBox(masterKey.key);
  await checkMasterKey(store.db, secrets, masterKey.source, now()).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const queueOptions = {
    pollInterval: config.queuePollInterval,
    lease: config.queueLease,
    maxAttempts: config.maxAttempts,
    retryBase: config.retryBase,
    retryMax: config.retryMax,
    now,
    logger: logger.child({ module: 'queue' }),
  };
  const queue = config.redisUrl
    ? new BullmqQueue({ ...queueOptions, redisUrl: config.redisUrl, prefix: opts.queuePrefix ?? config.queuePrefix, db: store.db })
    : new EmbeddedQueue(store.db, store.caps, queueOptions);
  // One limiter for the API (browser routes) and the senders; in Redis when the queue is.
  const limiter: RateLimiter = config.redisUrl ? new RedisRateLimiter({ redisUrl: config.redisUrl, prefix: opts.queuePrefix ?? config.queuePrefix, logger }) : new MemoryRateLimiter();
  const ctx: Context = { config, store, queue, secrets, limiter, logger, now };
  const metrics = new DeliveryMetrics(queue);

  let draining = false;
  const app = await buildApp(ctx, { metrics, isDraining: () => draining, operationsOnly: config.role === 'worker' });

  let crypto: CryptoPool | undefined;
  let reconciler: NodeJS.Timeout | undefined;
  let transport: PushTransport | undefined;
  let appPush: ReturnType<typeof createAppPushSenders> | undefined;
  // The promise is cached, not the value: batches that start together share one signer
  // (and so one token per push service origin) instead of racing to make their own.
  const vapidCaches = new Map<string, Promise<VapidTokenCache>>();
  const vapidFor = (appId: string): Promise<VapidTokenCache> => {
    let cache = vapidCaches.get(appId);
    if (!cache) {
      cache = (async () => {
        const row = await store.db.selectFrom('apps').select(['vapid_public_key', 'vapid_private_key', 'vapid_subject']).where('id', '=', appId).executeTakeFirstOrThrow();
        const privateKey = secrets.open(row.vapid_private_key, vapidContext(appId));
        return new VapidTokenCache(vapidSigningKey(row.vapid_public_key, privateKey), row.vapid_public_key, row.vapid_subject);
      })();
      cache.catch(() => vapidCaches.delete(appId));
      vapidCaches.set(appId, cache);
    }
    return cache;
  };

  const deliveryRef = (notificationId: string, r: Recipient) => {
    const token = carillonEndpointToken(r.address);
    return token === null ? undefined : signDeliveryRef(secrets, notificationId, r.id, token);
  };

  return {
    ctx,
    app,
    metrics,
    startWorkers() {
      // Started again after the queue was stopped (a test does), the pools and connections
      // of the first start are kept rather than left open.
      crypto ??= new CryptoPool(cryptoThreadCount(config));
      transport ??= new PushTransport({
        allowPrivate: config.allowPrivateEndpoints,
        maxConcurrencyPerOrigin: config.originConcurrency,
        connectionsPerOrigin: config.originConnections,
        requestTimeoutMs: config.requestTimeout,
      });
      appPush ??= createAppPushSenders({ config, db: store.db, secrets, logger, now, ...(opts.providerCa !== undefined ? { ca: opts.providerCa } : {}) });
      const channelSenders: [string, Sender][] = [['webpush', new WebPushSender({ transport, crypto, vapidFor, retryMax: config.retryMax, now, deliveryRef })], ...appPush.senders];
      const senders = new Map<string, Sender>(
        channelSenders.map(([channel, sender]) => [
          channel,
          new RateLimitedSender(sender, {
            limiter,
            keyFor: (r, m) => rateLimitKey(channel, r, m),
            rate: channel === 'webpush' ? config.originRate : config.providerRate,
            // A batch waiting longer would risk its job's lease; what is left goes back to the queue.
            maxWaitMs: Math.min(MAX_RATE_WAIT_MS, config.queueLease / 3),
            pauseOnThrottle: channel === 'webpush',
          }),
        ]),
      );
      const deps = { senders, metrics };
      clearInterval(reconciler);
      reconciler = setInterval(() => void reconcile(ctx).catch((err: unknown) => logger.error({ err }, 'reconcile failed')), config.queueLease);
      reconciler.unref();
      queue.start(
        {
          [FANOUT_JOB]: (job) => runFanout(ctx, job),
          [DELIVER_JOB]: (job) => runDeliver(ctx, deps, job),
        },
        { concurrency: config.workerConcurrency },
      );
    },
    async close() {
      draining = true;
      clearInterval(reconciler);
      await app.close();
      await queue.stop();
      await transport?.close();
      await appPush?.close();
      await limiter.close();
      await crypto?.close();
      await store.close();
    },
  };
}
