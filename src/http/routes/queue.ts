import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';

const FailedQuery = Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false });

/**
 * The operator's view of the delivery queue: depth by state, and the jobs that failed for
 * good (the dead letters) with their last error. Admin key only: jobs name every app.
 */
export function queueRoutes(app: FastifyInstance, ctx: Context): void {
  app.get(
    '/v1/queue',
    { onRequest: guard(ctx, 'admin'), schema: { tags: ['operations'], summary: 'Jobs in the delivery queue, by state' } },
    async () => ctx.queue.depth(),
  );
  app.get<{ Querystring: Static<typeof FailedQuery> }>(
    '/v1/queue/failed',
    { onRequest: guard(ctx, 'admin'), schema: { tags: ['operations'], summary: 'Jobs that failed for good, newest first, with their last error', querystring: FailedQuery } },
    async (req) => ({ data: await ctx.queue.failed(req.query.limit) }),
  );
}
