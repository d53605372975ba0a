import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { checkUserIdentity } from '../../apps/identity.ts';
import type { Context } from '../../context.ts';
import { deleteSubscription, getSubscription, listSubscriptions, upsertSubscription } from '../../subscriptions/subscriptions.ts';
import { allowBrowsers, browserPreflight } from '../cors.ts';
import { guard } from '../guards.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { ListQuery, Subscription, SubscriptionBody, SubscriptionPage } from './subscriptions.schemas.ts';
import { Type } from '@sinclair/typebox';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';

export function subscriptionRoutes(app: FastifyInstance, ctx: Context): void {
  // Browsers (the SDK, on the site's origin) may register and remove, never list or read.
  browserPreflight(app, '/v1/apps/:appId/subscriptions', ['POST']);
  browserPreflight(app, '/v1/apps/:appId/subscriptions/:id', ['DELETE']);
  app.post<{ Params: AppParams; Body: SubscriptionBody }>(
    '/v1/apps/:appId/subscriptions',
    {
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      schema: {
        operationId: 'registerSubscription',
        tags: ['subscriptions'],
        summary: 'Register a push subscription (the same endpoint again updates it)',
        params: AppParams,
        body: SubscriptionBody,
        response: { 200: Type.Object({ id: Type.String() }), 201: Type.Object({ id: Type.String() }), ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'identity_not_verified', 'unsupported_channel', 'invalid_subscription_keys', 'endpoint_rejected', 'invalid_device_token') },
      },
    },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      await checkUserIdentity(ctx, req.principal, req.params.appId, req.body.userId ?? undefined, req.body.userIdHash);
      const { id, created } = await upsertSubscription(ctx, req.params.appId, req.body);
      return reply.status(created ? 201 : 200).send({ id });
    },
  );
  app.get<{ Params: AppParams; Querystring: ListQuery }>(
    '/v1/apps/:appId/subscriptions',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listSubscriptions', tags: ['subscriptions'], summary: 'List subscriptions, oldest first, by cursor', params: AppParams, querystring: ListQuery, response: { 200: SubscriptionPage, ...guardedProblems('secret', { params: true }, 'invalid_cursor') } } },
    async (req) => listSubscriptions(ctx, req.params.appId, req.query),
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/subscriptions/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getSubscription', tags: ['subscriptions'], summary: 'One subscription', params: AppItemParams, response: { 200: Subscription, ...guardedProblems('secret', { params: true }, 'subscription_not_found') } } },
    async (req) => getSubscription(ctx, req.params.appId, req.params.id),
  );
  app.delete<{ Params: AppItemParams }>(
    '/v1/apps/:appId/subscriptions/:id',
    { onRequest: guard(ctx, 'publishable'), onSend: allowBrowsers, schema: { operationId: 'deleteSubscription', tags: ['subscriptions'], summary: 'Remove a subscription', params: AppItemParams, response: { ...NO_CONTENT, ...guardedProblems('publishable', { params: true }, 'subscription_not_found') } } },
    async (req, reply) => {
      await deleteSubscription(ctx, req.params.appId, req.params.id);
      return reply.status(204).send();
    },
  );
}
