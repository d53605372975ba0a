import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { createNotification, getNotification, listFailures } from '../../notifications/notifications.ts';
import { listNotifications } from '../../notifications/list-notifications.ts';
import { guard } from '../guards.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { Accepted, FailureList, NotificationBody, NotificationListQuery, NotificationPage, NotificationStatus } from './notifications.schemas.ts';
import { guardedProblems } from '../openapi.ts';

export function notificationRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Params: AppParams; Body: NotificationBody }>(
    '/v1/apps/:appId/notifications',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'sendNotification',
        tags: ['notifications'],
        summary: 'Send a notification to an audience (202: accepted, delivered in the background)',
        description:
          'An `Idempotency-Key` header makes retries safe: the same key and body answer the same id and send nothing twice. `to: {"segment": id}` and `to: {"filter": ...}` fix the filter (its segments expanded) when the notification is accepted; who matches it is decided when it is sent, `within` and `older_than` counting back from `sendAt` (docs/audience.md). A refused filter points into the body (`#/to/filter/...`, `#/to/segment`).',
        params: AppParams,
        body: NotificationBody,
        response: { 202: Accepted, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'invalid_idempotency_key', 'idempotency_key_reused', 'critical_alert_not_allowed', 'invalid_topic', 'invalid_send_at', 'payload_too_large', 'invalid_filter', 'filter_too_complex', 'unknown_segment', 'segment_cycle', 'unknown_category', 'invalid_conversion') },
      },
    },
    async (req, reply) => {
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key))) {
        throw new ApiError('invalid_idempotency_key', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
      }
      await getApp(ctx, req.params.appId);
      const { id, replayed } = await createNotification(ctx, req.params.appId, req.body, key);
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(202).header('location', `/v1/apps/${req.params.appId}/notifications/${id}`).send({ id });
    },
  );
  app.get<{ Params: AppParams; Querystring: NotificationListQuery }>(
    '/v1/apps/:appId/notifications',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'listNotifications',
        tags: ['notifications'],
        summary: 'List notifications, newest first, by cursor, with their key figures',
        description: 'Every notification of the app: sent on their own, campaign waves and test sends (`campaignId`, `campaignRun` 0). `counts` are those of `GET .../notifications/{id}`: recipients targeted, delivered, failed, displayed and clicked.',
        params: AppParams,
        querystring: NotificationListQuery,
        response: { 200: NotificationPage, ...guardedProblems('secret', { params: true }, 'invalid_cursor') },
      },
    },
    async (req) => listNotifications(ctx, req.params.appId, req.query),
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/notifications/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getNotification', tags: ['notifications'], summary: 'Status and delivery counts', params: AppItemParams, response: { 200: NotificationStatus, ...guardedProblems('secret', { params: true }, 'notification_not_found') } } },
    async (req) => getNotification(ctx, req.params.appId, req.params.id),
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/notifications/:id/failures',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listNotificationFailures', tags: ['notifications'], summary: 'Recipients that were not delivered, with the push service’s reason', params: AppItemParams, response: { 200: FailureList, ...guardedProblems('secret', { params: true }, 'notification_not_found') } } },
    async (req) => ({ data: await listFailures(ctx, req.params.appId, req.params.id) }),
  );
}
