import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { ApiError } from '../../errors/api-error.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { FailedJobs, QueueDepth } from '../operations-schemas.ts';

const DeadLetterParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'The id of a job listed by GET /v1/queue/failed' }) });
const RetriedJobs = Type.Object({ retried: Type.Integer({ minimum: 0, description: 'How many failed jobs were put back' }) });
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
  // After the cause is fixed (credentials, an endpoint back up), the operator sends the
  // dead letters again: each gets every attempt again, as a new job would.
  app.post<{ Params: Static<typeof DeadLetterParams> }>(
    '/v1/queue/dead-letters/:id/retry',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'retryFailedJob', tags: ['operations'], summary: 'Put a failed job back in the queue, its attempts reset', params: DeadLetterParams, response: { ...NO_CONTENT, ...guardedProblems('admin', { params: true }, 'dead_letter_not_found') } } },
    async (req, reply) => {
      if (!(await ctx.queue.retryFailed(req.params.id))) throw new ApiError('dead_letter_not_found', `No failed job with id ${req.params.id}`);
      return reply.status(204).send();
    },
  );
  app.post(
    '/v1/queue/dead-letters/retry-all',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'retryAllFailedJobs', tags: ['operations'], summary: 'Put every failed job back in the queue, attempts reset', response: { 200: RetriedJobs, ...guardedProblems('admin', {}) } } },
    async () => ({ retried: await ctx.queue.retryAllFailed() }),
  );
}
