import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import cookie from '@fastify/cookie';
import type { Context } from './context.ts';
import type { DeliveryMetrics } from './delivery/metrics.ts';
import { installProblemHandlers } from './http/problem.ts';
import { trackAllowedMethods } from './http/allowed-methods.ts';
import { installJsonParser } from './http/json-body.ts';
import { clientErrorHandler, frameworkErrors, limitUrlLength } from './http/client-errors.ts';
import { coerceParameters } from './http/coerce-parameters.ts';
import { noStore } from './http/no-store.ts';
import { lazySchemas } from './http/lazy-schemas.ts';
import { LICENSE, OPENAPI_VERSION, TAGS, documentServers, finishDocument } from './http/openapi.ts';
import { Problem } from './http/schemas.ts';
import { appRoutes } from './http/routes/apps.ts';
import { subscriptionRoutes } from './http/routes/subscriptions.ts';
import { userRoutes } from './http/routes/users.ts';
import { notificationRoutes } from './http/routes/notifications.ts';
import { credentialRoutes } from './http/routes/credentials.ts';
import { healthRoutes } from './http/routes/health.ts';
import { errorRoutes } from './http/routes/errors.ts';
import { queueRoutes } from './http/routes/queue.ts';
import { eventRoutes } from './http/routes/events.ts';
import { trackRoutes } from './http/routes/track.ts';
import { analyticsRoutes } from './http/routes/analytics.ts';
import { sdkRoutes } from './http/routes/sdk.ts';
import { segmentRoutes } from './http/routes/segments.ts';
import { campaignRoutes, campaignSettingsRoutes } from './http/routes/campaigns.ts';
import { campaignPreviewRoutes } from './http/routes/campaign-preview.ts';
import { preferenceRoutes } from './http/routes/preferences.ts';
import { alertRoutes } from './http/routes/alerts.ts';
import { sessionRoutes } from './http/routes/session.ts';
import { operatorRoutes } from './http/routes/operators.ts';
import { dashboardRoutes } from './http/routes/dashboard.ts';
import { docsRoutes } from './http/routes/docs.ts';
import { webhookRoutes } from './http/routes/webhooks.ts';
import { alertFeedRoutes } from './http/routes/alert-feeds.ts';
import { publicAlertRoutes } from './http/routes/public-alerts.ts';
import { alertSettingsRoutes } from './http/routes/alert-settings.ts';
import { alertZoneRoutes } from './http/routes/alert-zones.ts';
import { geocodeRoutes } from './http/routes/geocodes.ts';
import { journeyRoutes } from './http/routes/journeys.ts';
import { journeyVisibilityRoutes } from './http/routes/journeys-visibility.ts';
import { mfaRoutes } from './http/routes/mfa.ts';
import { mfaDeviceRoutes } from './http/routes/mfa-device.ts';
import { campaignEstimateRoutes } from './http/routes/campaign-estimate.ts';
import { authenticatorRoutes } from './http/routes/authenticator.ts';
import { examplesLoginRoutes } from './http/routes/examples-login.ts';
import { mfaFallbackRoutes } from './http/routes/mfa-fallbacks.ts';
import { mfaOtpRoutes } from './http/routes/mfa-otp.ts';
import { conversationRoutes } from './http/routes/conversations.ts';
import { replyRoutes } from './http/routes/reply.ts';
import { replyPageRoutes } from './http/routes/reply-page.ts';
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
  // Each route's validators and serializers are compiled on first use (src/http/lazy-schemas.ts).
  const schemas = lazySchemas();
  const app = Fastify({
    schemaController: { compilersFactory: schemas.compilersFactory },
    trustProxy: trustProxyOption(ctx.config.trustProxy),
    loggerInstance: ctx.logger.child({ module: 'http' }) as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimit,
    // A user's external id (up to 256 characters) is a path segment, percent-encoded up to
    // 12 characters each (4 UTF-8 bytes as %XX); the parameter schemas limit each segment.
    // Under routerOptions: as a top-level option Fastify 5 warns on stderr at every start.
    routerOptions: { maxParamLength: 3_072 },
    // Fastify turns Node's request timeout off (0): a body trickled a byte at a time would
    // hold its connection for good. Each limit is explained in src/config/defaults.ts.
    requestTimeout: ctx.config.httpRequestTimeout,
    keepAliveTimeout: ctx.config.httpKeepAliveTimeout,
    maxRequestsPerSocket: ctx.config.httpMaxRequestsPerSocket,
    http: { headersTimeout: ctx.config.httpHeadersTimeout, connectionsCheckingInterval: ctx.config.httpTimeoutCheckInterval },
    // One line per request would drown the delivery logs at API rates; errors still log.
    logController: new LogController({ disableRequestLogging: true }),
    // What Node or the router cannot read answers problem+json too (src/http/client-errors.ts).
    clientErrorHandler,
    frameworkErrors,
    ajv: {
      // Unknown fields are refused with a clear error rather than silently dropped, and a
      // body is never coerced (`"ttl": null` is an error, not 0): query strings and path
      // parameters are read from their text by coerceParameters below.
      customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false },
    },
  });
  schemas.belongTo(app);
  if (ctx.config.httpMaxConnections > 0) app.server.maxConnections = ctx.config.httpMaxConnections;
  app.addSchema(Problem);
  app.addHook('onRequest', limitUrlLength);
  // Answers carrying secrets, tokens or private data are cached nowhere (src/http/no-store.ts).
  app.addHook('onSend', noStore);
  app.addHook('preValidation', async (req) => {
    const schema = req.routeOptions.schema;
    if (schema?.querystring) req.query = coerceParameters(schema.querystring, req.query);
    if (schema?.params) req.params = coerceParameters(schema.params, req.params);
  });
  installProblemHandlers(app, trackAllowedMethods(app));
  installJsonParser(app);
  // Dashboard sessions ride in a cookie (src/http/session-cookie.ts); API keys do not.
  await app.register(cookie);

  await app.register(swagger, {
    openapi: {
      openapi: OPENAPI_VERSION,
      info: { title: 'Carillon API', version: '1', description: 'Self-hosted push notifications: Web Push, APNs and FCM.', license: LICENSE },
      servers: documentServers(ctx.config.publicUrl),
      tags: TAGS,
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'Admin, secret or publishable API key' },
          session: { type: 'apiKey', in: 'cookie', name: 'carillon_session', description: 'A dashboard session (POST /v1/session), in `__Host-carillon_session` when the installation is served over https; calls that change something also send X-CSRF-Token' },
        },
      },
      // Either an API key or a dashboard session (src/http/session-guard.ts).
      security: [{ apiKey: [] }, { session: [] }],
    },
    // Shared schemas keep their own names (`Problem`), not `def-0`.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transformObject: (d) => finishDocument('openapiObject' in d ? d.openapiObject : d.swaggerObject),
  });
  await docsRoutes(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  healthRoutes(app, ctx, opts.metrics, opts.isDraining ?? (() => false));
  errorRoutes(app);
  if (opts.operationsOnly) return app;
  appRoutes(app, ctx);
  queueRoutes(app, ctx);
  subscriptionRoutes(app, ctx);
  userRoutes(app, ctx);
  notificationRoutes(app, ctx);
  eventRoutes(app, ctx);
  trackRoutes(app, ctx);
  segmentRoutes(app, ctx);
  campaignRoutes(app, ctx);
  campaignSettingsRoutes(app, ctx);
  sdkRoutes(app, ctx);
  credentialRoutes(app, ctx);
  preferenceRoutes(app, ctx);
  alertRoutes(app, ctx);
  sessionRoutes(app, ctx);
  operatorRoutes(app, ctx);
  campaignPreviewRoutes(app, ctx);
  dashboardRoutes(app);
  analyticsRoutes(app, ctx);
  webhookRoutes(app, ctx);
  alertFeedRoutes(app, ctx);
  publicAlertRoutes(app, ctx);
  alertSettingsRoutes(app, ctx);
  alertZoneRoutes(app, ctx);
  geocodeRoutes(app, ctx);
  journeyRoutes(app, ctx);
  journeyVisibilityRoutes(app, ctx);
  mfaRoutes(app, ctx);
  mfaDeviceRoutes(app, ctx);
  campaignEstimateRoutes(app, ctx);
  authenticatorRoutes(app, ctx);
  examplesLoginRoutes(app, ctx);
  mfaFallbackRoutes(app, ctx);
  mfaOtpRoutes(app, ctx);
  conversationRoutes(app, ctx);
  // Public: the reply token of the push is the authority, for its own thread only.
  replyRoutes(app, ctx);
  // Public: the reply page, and its read of the thread by the same token.
  replyPageRoutes(app, ctx);
  // Public, RFC 8030: the endpoint token is the capability, VAPID guards restricted subscriptions.
  if (ctx.config.pushService) {
    // Loaded only when enabled (off by default): the push service and ws are some thirty modules.
    const { registerPushService } = await import('./push-service/index.ts');
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
