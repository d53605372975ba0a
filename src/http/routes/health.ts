import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { storeIsReady } from '../../store/database.ts';
import type { DeliveryMetrics } from '../../delivery/metrics.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { Liveness, MetricsText, Readiness } from '../operations-schemas.ts';

/** Public probes: liveness, readiness (the store answers, not draining) and Prometheus metrics. */
export function healthRoutes(app: FastifyInstance, ctx: Context, metrics: DeliveryMetrics, isDraining: () => boolean): void {
  app.get('/healthz', { schema: { operationId: 'getLiveness', tags: ['operations'], summary: 'Liveness', ...PUBLIC, response: { 200: Liveness } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { operationId: 'getReadiness', tags: ['operations'], summary: 'Readiness', ...PUBLIC, response: { 200: Readiness, ...problems('shutting_down', 'not_ready') } } }, async () => {
    if (isDraining()) throw new ApiError('shutting_down');
    if (!(await storeIsReady(ctx.store))) throw new ApiError('not_ready', 'The store does not answer');
    return { status: 'ready' };
  });
  app.get('/metrics', { schema: { operationId: 'getMetrics', tags: ['operations'], summary: 'Prometheus metrics', hide: false, ...PUBLIC, response: { 200: MetricsText } } }, async (_req, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
