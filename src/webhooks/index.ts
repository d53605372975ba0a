import type { WebhookTransport } from './deliver-job.ts';
import type { Registry } from 'prom-client';
import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import { PushTransport, type Resolver } from '../transport/index.ts';
import { webhookDeliverJob } from './deliver-job.ts';
import { WebhookDispatcher } from './dispatcher.ts';
import { WebhookMetrics } from './metrics.ts';
import type { WebhookResponseHooks } from './response-hook.ts';

export { oldestUnreadActivitySeq } from './retention.ts';
export { WEBHOOK_EVENT_TYPES } from './event-types.ts';
export type { DeliveredResponse, ResponseNote, WebhookResponseHook, WebhookResponseHooks } from './response-hook.ts';

export interface WebhooksOptions {
  /** The server's metrics registry. */
  registry?: Registry;
  /** Resolves endpoint hostnames (tests map names to chosen addresses); every answer is checked unless allowPrivateEndpoints. */
  lookup?: Resolver;
  /** CA certificates trusted for endpoints instead of Node's roots (test receivers). */
  ca?: string | Buffer;
  /** What a 2xx answer's body means, by event type (a conversation answered synchronously). */
  responseHooks?: WebhookResponseHooks;
}

/** What a worker process runs for outgoing webhooks: the dispatcher loop and the deliver job kind. */
export interface Webhooks {
  jobs: JobKind[];
  /** The connection pool, also the one journeys' webhook steps call through (src/journeys/webhook-step.ts). */
  transport: WebhookTransport;
  dispatcher: WebhookDispatcher;
  /** Starts the dispatcher loop (the deliver jobs run with the queue). */
  start(): void;
  /** Stops the dispatcher; call before the queue stops, so no pass adds jobs to a stopped queue. */
  stop(): Promise<void>;
  /** Closes the connections; call after the queue stopped, so running attempts finish. */
  close(): Promise<void>;
}

/**
 * Outgoing webhooks, wired: their own connection pool (timeouts from webhookTimeout; the
 * push endpoints' address rule applied to every address connected to), the dispatcher and
 * the deliver job.
 */
export function createWebhooks(ctx: Context, opts: WebhooksOptions = {}): Webhooks {
  const transport = new PushTransport({
    allowPrivate: ctx.config.allowPrivateEndpoints,
    maxConcurrencyPerOrigin: Math.max(1, ctx.config.originConcurrency),
    connectionsPerOrigin: Math.max(1, ctx.config.originConnections),
    requestTimeoutMs: ctx.config.webhookTimeout,
    ...(opts.lookup !== undefined ? { lookup: opts.lookup } : {}),
    ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
  });
  const metrics = opts.registry ? new WebhookMetrics(opts.registry) : undefined;
  const dispatcher = new WebhookDispatcher(ctx);
  return {
    transport,
    jobs: [webhookDeliverJob(ctx, { transport, ...(metrics ? { metrics } : {}), ...(opts.responseHooks ? { responseHooks: opts.responseHooks } : {}) })],
    dispatcher,
    start: () => dispatcher.start(),
    stop: () => dispatcher.stop(),
    close: () => transport.close(),
  };
}
