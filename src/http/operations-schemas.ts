import { Type } from '@sinclair/typebox';

/**
 * Answers of the operations routes (probes, the queue, the error catalogue, the SDK) for
 * the OpenAPI document: src/http/routes/health.ts, queue.ts, errors.ts and sdk.ts.
 */
export const Liveness = Type.Object({ status: Type.Literal('ok') });
export const Readiness = Type.Object({ status: Type.Literal('ready') });

/** Prometheus text exposition format 0.0.4. */
export const MetricsText = {
  description: 'Prometheus metrics (text exposition format 0.0.4)',
  content: { 'text/plain': { schema: { type: 'string' } } },
} as const;

/** An ES module or classic script, revalidated with its ETag. */
export const JavaScriptFile = {
  description: 'The script',
  content: { 'text/javascript': { schema: { type: 'string' } } },
} as const;
export const NotModified = { description: 'Not modified (If-None-Match matched the ETag)', type: 'null' } as const;

export const ErrorCatalogue = Type.Object({
  data: Type.Array(Type.Object({ code: Type.String(), status: Type.Integer(), title: Type.String() })),
});

export const QueueDepth = Type.Object({
  waiting: Type.Integer({ minimum: 0 }),
  delayed: Type.Integer({ minimum: 0 }),
  active: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
});

export const FailedJobs = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      data: Type.Unknown(),
      attempts: Type.Integer(),
      error: Type.Union([Type.String(), Type.Null()], { description: 'The last attempt’s error, with its stack when there was one' }),
    }),
  ),
});
