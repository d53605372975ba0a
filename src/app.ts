import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Context } from './context.ts';
import type { DeliveryMetrics } from './delivery/metrics.ts';
import { installProblemHandlers } from './http/problem.ts';
import { Problem } from './http/schemas.ts';
import { appRoutes } from './http/routes/apps.ts';
import { subscriptionRoutes } from './http/routes/subscriptions.ts';
import { notificationRoutes } from './http/routes/notifications.ts';
import { credentialRoutes } from './http/routes/credentials.ts';
import { healthRoutes } from './http/routes/health.ts';
import { errorRoutes } from './http/routes/errors.ts';
import { queueRoutes } from './http/routes/queue.ts';
import { eventRoutes } from './http/routes/events.ts';
import { sdkRoutes } from './http/routes/sdk.ts';
import { registerPushService } from './push-service/index.ts';
import { recordUnshown } from './delivery/unshown.ts';
import { trustProxyOption } from './config/trust-proxy.ts';

export interface AppOptions {
  metrics: DeliveryMetrics;
  isDraining?: () => boolean;
  /** A worker-only process answers health, readiness and metrics, and no API routes. */
  operationsOnly?: boolean;
}

/**
 * The HTTP API as a Fastify instance that is not listening: `main.ts` listens, tests use
 * `inject()`. Reading the route registrations shows each route's guard.
 */
export async function buildApp(ctx: Context, opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    loggerInstance: ctx.logger.child({ module: 'http' }) as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimit,
    // One line per request would drown the delivery logs at API rates; errors still log.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      // Unknown fields are refused with a clear error rather than silently dropped.
      customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false },
    },
  });
  app.addSchema(Problem);
  installProblemHandlers(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Carillon API', version: '1', description: 'Self-hosted push notifications: Web Push, APNs and FCM.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Admin, secret or publishable API key' } } },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  healthRoutes(app, ctx, opts.metrics, opts.isDraining ?? (() => false));
  errorRoutes(app);
  if (opts.operationsOnly) return app;
  appRoutes(app, ctx);
  queueRoutes(app, ctx);
  subscriptionRoutes(app, ctx);
  notificationRoutes(app, ctx);
  eventRoutes(app, ctx);
  sdkRoutes(app, ctx);
  credentialRoutes(app, ctx);
  // Public, RFC 8030: the endpoint token is the capability, VAPID guards restricted subscriptions.
  if (ctx.config.pushService) {
    const logger = ctx.logger.child({ module: 'push-service' });
    const unshownDeps = { db: ctx.store.db, secrets: ctx.secrets, logger, now: ctx.now };
    await registerPushService(app, {
      db: ctx.store.db,
      logger,
      now: ctx.now,
      publicUrl: ctx.config.pushServiceUrl || ctx.config.publicUrl,
      config: ctx.config,
      onAck: async (ack) => {
        opts.metrics.observeAck(ack.code);
        await recordUnshown(unshownDeps, ack);
      },
    });
  }
  return app;
}
