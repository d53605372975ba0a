import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { estimateAudience } from '../../audience/segments/estimate.ts';
import { createSegment, deleteSegment, getSegment, listSegments, updateSegment } from '../../audience/segments/segments.ts';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { AudienceSize, EstimateBody, Segment, SegmentBody, SegmentListQuery, SegmentPage, SegmentPatchBody, SegmentWithSize } from './segments.schemas.ts';

const FILTER_CODES = ['invalid_filter', 'filter_too_complex', 'unknown_segment', 'segment_cycle'] as const;
const FILTER_DOC = 'The filter language, its limits and its errors: docs/audience.md. A refused filter answers problem+json with `pointer` into the body (`#/filter/and/1/op`).';

export function segmentRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Params: AppParams; Body: SegmentBody }>(
    '/v1/apps/:appId/segments',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'createSegment', tags: ['audience'], summary: 'Save an audience filter as a segment', description: FILTER_DOC, params: AppParams, body: SegmentBody, response: { 201: Segment, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', ...FILTER_CODES) } },
    },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      const segment = await createSegment(ctx, req.params.appId, req.body);
      return reply.status(201).header('location', `/v1/apps/${req.params.appId}/segments/${segment.id}`).send(segment);
    },
  );
  app.get<{ Params: AppParams; Querystring: SegmentListQuery }>(
    '/v1/apps/:appId/segments',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listSegments', tags: ['audience'], summary: 'List segments, oldest first, by cursor', params: AppParams, querystring: SegmentListQuery, response: { 200: SegmentPage, ...guardedProblems('secret', { params: true }, 'invalid_cursor') } } },
    async (req) => listSegments(ctx, req.params.appId, req.query),
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/segments/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getSegment', tags: ['audience'], summary: 'One segment, with its live size', params: AppItemParams, response: { 200: SegmentWithSize, ...guardedProblems('secret', { params: true }, 'segment_not_found') } } },
    async (req) => getSegment(ctx, req.params.appId, req.params.id),
  );
  app.patch<{ Params: AppItemParams; Body: SegmentPatchBody }>(
    '/v1/apps/:appId/segments/:id',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'updateSegment',
        tags: ['audience'],
        summary: 'Rename a segment or change its filter',
        description: `A filter that would make a loop through other segments is refused (\`segment_cycle\`). Notifications already accepted keep the filter they were accepted with. ${FILTER_DOC}`,
        params: AppItemParams,
        body: SegmentPatchBody,
        response: { 200: Segment, ...guardedProblems('secret', { params: true, body: true }, 'segment_not_found', ...FILTER_CODES) },
      },
    },
    async (req) => updateSegment(ctx, req.params.appId, req.params.id, req.body),
  );
  app.delete<{ Params: AppItemParams }>(
    '/v1/apps/:appId/segments/:id',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'deleteSegment', tags: ['audience'], summary: 'Delete a segment that no other segment names', params: AppItemParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'segment_not_found', 'segment_in_use') } },
    },
    async (req, reply) => {
      await deleteSegment(ctx, req.params.appId, req.params.id);
      return reply.status(204).send();
    },
  );
  app.post<{ Params: AppParams; Body: EstimateBody }>(
    '/v1/apps/:appId/audience/estimate',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'estimateAudience',
        tags: ['audience'],
        summary: 'The exact size of a filter’s audience now: users, subscriptions, by channel',
        description: `What a notification sent now to \`{"filter": ...}\` would target. ${FILTER_DOC}`,
        params: AppParams,
        body: EstimateBody,
        response: { 200: AudienceSize, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', ...FILTER_CODES) },
      },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return estimateAudience(ctx, req.params.appId, req.body.filter);
    },
  );
}
