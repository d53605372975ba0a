import pino, { type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { audiencePager } from './audience/segments/audience-pager.ts';
import { cryptoThreadCount, type Config } from './config/defaults.ts';
import type { Context } from './context.ts';
import { resolveMasterKey } from './crypto/master-key.ts';
import { SecretBox } from './crypto/secret-box.ts';
import { deliveryJobs } from './delivery/jobs.ts';
import { eventPruneJob } from './audience/events/prune-job.ts';
import { activityPruneJob } from './analytics/retention.ts';
import { checkMasterKey } from './crypto/key-check.ts';
import { reconcile } from './delivery/reconcile.ts';
import { DeliveryMetrics } from './delivery/metrics.ts';
import { samePersonaliser, type Personaliser } from './delivery/personaliser.ts';
import { campaignPersonaliser } from './campaigns/campaign-personaliser.ts';
import { campaignPager } from './campaigns/campaign-pager.ts';
import { alertDelivery, alertSendJob } from './alerts/send/index.ts';
import { campaignRunJob } from './campaigns/campaign-run-job.ts';
import { decideJob } from './campaigns/decide-job.ts';
import { planJob } from './campaigns/plan-job.ts';
import { journeyJobs } from './journeys/index.ts';
import { mfaSweepJob } from './mfa/index.ts';
import { storeThrottle, throttledSenders } from './campaigns/throttle/index.ts';
import { createSenders } from './providers/senders.ts';
import { CryptoPool } from './providers/webpush/crypto-pool.ts';
import { EmbeddedQueue } from './queue/embedded-queue.ts';
import { jobBatches, jobHandlers } from './queue/job-kind.ts';
import { checkStoreWritable, openStore } from './store/database.ts';
import { PushTransport } from './transport/push-transport.ts';
import { MemoryRateLimiter, type RateLimiter } from './rate-limit/rate-limiter.ts';
import { createWebhooks, oldestUnreadActivitySeq, type Webhooks } from './webhooks/index.ts';
import type { Resolver } from './transport/index.ts';
import { createAlertFeeds, type AlertFeeds } from './alerts/feeds/index.ts';
import { conversationJobs, conversationPersonaliser, syncAnswerHook } from './conversations/index.ts';

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
  /** How the deliver job shapes each recipient's message (campaigns); the notification's one message for everyone by default. */
  personaliser?: Personaliser;
  /** Resolves webhook endpoint and intent URL hostnames instead of the system resolver (tests map names to chosen addresses). */
  webhookLookup?: Resolver;
  /** CA certificates trusted for webhook endpoints, and the built-in assistant's intent URLs, instead of Node's roots (test receivers). */
  webhookCa?: string | Buffer;
  /**
   * SQLite: WAL checkpoints on a thread of their own (src/store/sqlite-checkpointer.ts);
   * default true. False for a one-shot bulk load that changes the journal mode, which
   * needs the only connection to the file.
   */
  checkpointThread?: boolean;
}

/** Builds everything one Carillon process needs from its config. Nothing listens yet. */
export async function createRuntime(config: Config, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] });
  const now = opts.now ?? Date.now;
  const store = await openStore({ databaseUrl: config.databaseUrl || undefined, dataDir: config.dataDir, poolSize: config.databasePoolSize, ...(opts.checkpointThread === false ? {} : { checkpointThread: { logger } }) });
  const masterKey = resolveMasterKey(config.masterKey, config.dataDir);
  const secrets = new SecretBox(masterKey.key);
  // The store first: a database that cannot be written would otherwise fail the key check
  // (which writes its check value on a first start) with a bare driver message.
  try {
    await checkStoreWritable(store);
    await checkMasterKey(store.db, secrets, masterKey.source, now());
  } catch (err) {
    await store.close();
    throw err;
  }
  const queueOptions = {
    pollInterval: config.queuePollInterval,
    lease: config.queueLease,
    maxAttempts: config.maxAttempts,
    retryBase: config.retryBase,
    retryMax: config.retryMax,
    now,
    logger: logger.child({ module: 'queue' }),
  };
  // BullMQ and ioredis load only where Redis is used: an embedded server never holds them.
  const redis = config.redisUrl
    ? { url: config.redisUrl, prefix: opts.queuePrefix ?? config.queuePrefix, ...(await import('./queue/bullmq-queue.ts')), ...(await import('./rate-limit/redis-rate-limiter.ts')) }
    : undefined;
  const queue = redis ? new redis.BullmqQueue({ ...queueOptions, redisUrl: redis.url, prefix: redis.prefix, db: store.db }) : new EmbeddedQueue(store.db, store.caps, queueOptions);
  // One limiter for the API (browser routes) and the senders; in Redis when the queue is.
  const limiter: RateLimiter = redis ? new redis.RedisRateLimiter({ redisUrl: redis.url, prefix: redis.prefix, logger }) : new MemoryRateLimiter();
  const ctx: Context = { config, store, queue, secrets, limiter, logger, now };
  const metrics = new DeliveryMetrics(queue);

  let draining = false;
  const app = await buildApp(ctx, { metrics, isDraining: () => draining, operationsOnly: config.role === 'worker' });

  let crypto: CryptoPool | undefined;
  let reconciler: NodeJS.Timeout | undefined;
  let transport: PushTransport | undefined;
  let senders: ReturnType<typeof createSenders> | undefined;
  let webhooks: Webhooks | undefined;
  let alertFeeds: AlertFeeds | undefined;

  return {
    ctx,
    app,
    metrics,
    startWorkers() {
      // Started again after the queue was stopped (a test does), the pools and connections
      // of the first start are kept rather than left open.
      crypto ??= new CryptoPool(cryptoThreadCount(config), config.urgentCryptoThreads);
      transport ??= new PushTransport({
        allowPrivate: config.allowPrivateEndpoints,
        maxConcurrencyPerOrigin: config.originConcurrency,
        connectionsPerOrigin: config.originConnections,
        http2SessionsPerOrigin: config.originSessions,
        requestTimeoutMs: config.requestTimeout,
        urgentConcurrencyPerOrigin: config.urgentOriginConcurrency,
      });
      senders ??= createSenders({ config, db: store.db, secrets, limiter, transport, crypto, logger, now, ...(opts.providerCa !== undefined ? { ca: opts.providerCa } : {}) });
      // A conversation.message may be answered in the endpoint's response (src/conversations/sync-answer.ts).
      webhooks ??= createWebhooks(ctx, { registry: metrics.registry, responseHooks: { 'conversation.message': syncAnswerHook(ctx.queue, logger.child({ module: 'conversations' })) }, ...(opts.webhookLookup ? { lookup: opts.webhookLookup } : {}), ...(opts.webhookCa !== undefined ? { ca: opts.webhookCa } : {}) });
      alertFeeds ??= createAlertFeeds(ctx);
      // Campaign throttles hold their sends before the channels' own rate limits take them.
      const throttled = throttledSenders(store.db, storeThrottle(store.db, now), senders.senders);
      const alerts = alertDelivery(ctx, { pager: campaignPager(store, audiencePager(store)), personaliser: opts.personaliser ?? campaignPersonaliser(ctx, samePersonaliser) });
      // Threads open as a notification that can be answered is sent (src/conversations/).
      const personaliser = conversationPersonaliser(ctx, alerts.personaliser);
      const jobs = [...deliveryJobs(ctx, { senders: throttled, metrics, ...alerts, personaliser }), eventPruneJob(ctx), campaignRunJob(ctx), decideJob(ctx), planJob(ctx), activityPruneJob(ctx, { keepFromSeq: () => oldestUnreadActivitySeq(store.db) }), ...webhooks.jobs, ...alertFeeds.jobs, alertSendJob(ctx), ...journeyJobs(ctx, { webhookTransport: webhooks.transport }), ...conversationJobs(ctx, { lookup: opts.webhookLookup, ca: opts.webhookCa }), mfaSweepJob(ctx)];
      clearInterval(reconciler);
      reconciler = setInterval(() => void reconcile(ctx, jobs).catch((err: unknown) => logger.error({ err }, 'reconcile failed')), config.queueLease);
      reconciler.unref();
      queue.start(jobHandlers(jobs), { concurrency: config.workerConcurrency, urgentSlots: config.urgentWorkerSlots, batches: jobBatches(jobs) });
      webhooks.start();
    },
    async close() {
      draining = true;
      clearInterval(reconciler);
      await app.close();
      await webhooks?.stop();
      await queue.stop();
      await webhooks?.close();
      await alertFeeds?.close();
      await transport?.close();
      await senders?.close();
      await limiter.close();
      await crypto?.close();
      await store.close();
    },
  };
}
