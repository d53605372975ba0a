import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { storeIsReady } from '../../store/database.ts';
import type { DeliveryMetrics } from '../../delivery/metrics.ts';

/** Public probes: liveness, readiness (the store answers, not draining) and Prometheus metrics. */
export function healthRoutes(app: FastifyInstance, ctx: Context, metrics: DeliveryMetrics, isDraining: () => boolean): void {
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { tags: ['operations'], summary: 'Readiness' } }, async () => {
    if (isDraining()) throw new ApiError('shutting_down');
    if (!(await storeIsReady(ctx.store))) throw new ApiError('not_ready', 'The store does not answer');
    return { status: 'ready' };
  });
  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics', hide: false } }, async (_req, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
