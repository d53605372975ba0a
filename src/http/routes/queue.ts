import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { FailedJobs, QueueDepth } from '../operations-schemas.ts';

const FailedQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }, { additionalProperties: false });

/**
 * The operator's view of the delivery queue: depth by state, and the jobs that failed for
 * good (the dead letters) with their last error. Admin key only: jobs name every app.
 */
export function queueRoutes(app: FastifyInstance, ctx: Context): void {
  app.get(
    '/v1/queue',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'getQueueDepth', tags: ['operations'], summary: 'Jobs in the delivery queue, by state', response: { 200: QueueDepth, ...guardedProblems('admin', {}) } } },
    async () => ctx.queue.depth(),
  );
  app.get<{ Querystring: Static<typeof FailedQuery> }>(
    '/v1/queue/failed',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'listFailedJobs', tags: ['operations'], summary: 'Jobs that failed for good, newest first, with their last error', querystring: FailedQuery, response: { 200: FailedJobs, ...guardedProblems('admin', { params: true }) } } },
    async (req) => ({ data: await ctx.queue.failed(req.query.limit) }),
  );
}
