import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, rotateSecret, updateWebhook } from '../../webhooks/endpoints.ts';
import { listMessages, replayMessages } from '../../webhooks/messages.ts';
import { guard } from '../guards.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { MessageListQuery, MessagePage, Replayed, ReplayBody, RotateBody, RotatedSecret, Webhook, WebhookBody, WebhookListQuery, WebhookPage, WebhookPatchBody, WebhookWithSecret } from './webhooks.schemas.ts';

const DOC = 'Outgoing webhooks, signed per Standard Webhooks: event types, bodies, retries, disabling, replay and how to verify a signature: docs/webhooks.md.';

export function webhookRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Params: AppParams; Body: WebhookBody }>(
    '/v1/apps/:appId/webhooks',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'createWebhook', tags: ['webhooks'], summary: 'Register a webhook endpoint; its secret is shown this once', description: `${DOC} The endpoint receives what happens from now on.`, params: AppParams, body: WebhookBody, response: { 201: WebhookWithSecret, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'webhook_url_rejected') } },
    },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      const webhook = await createWebhook(ctx, req.params.appId, req.body);
      return reply.status(201).header('location', `/v1/apps/${req.params.appId}/webhooks/${webhook.id}`).send(webhook);
    },
  );
  app.get<{ Params: AppParams; Querystring: WebhookListQuery }>(
    '/v1/apps/:appId/webhooks',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listWebhooks', tags: ['webhooks'], summary: 'List webhook endpoints, oldest first, by cursor', params: AppParams, querystring: WebhookListQuery, response: { 200: WebhookPage, ...guardedProblems('secret', { params: true }, 'invalid_cursor') } } },
    async (req) => listWebhooks(ctx, req.params.appId, req.query),
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/webhooks/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getWebhook', tags: ['webhooks'], summary: 'One webhook endpoint, with why it is disabled if it is', params: AppItemParams, response: { 200: Webhook, ...guardedProblems('secret', { params: true }, 'webhook_not_found') } } },
    async (req) => getWebhook(ctx, req.params.appId, req.params.id),
  );
  app.patch<{ Params: AppItemParams; Body: WebhookPatchBody }>(
    '/v1/apps/:appId/webhooks/:id',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'updateWebhook', tags: ['webhooks'], summary: 'Change an endpoint, or enable it again', description: `Enabling an endpoint clears its disabledReason; it resumes where it stopped reading, with what the activity log still keeps. ${DOC}`, params: AppItemParams, body: WebhookPatchBody, response: { 200: Webhook, ...guardedProblems('secret', { params: true, body: true }, 'webhook_not_found', 'webhook_url_rejected') } },
    },
    async (req) => updateWebhook(ctx, req.params.appId, req.params.id, req.body),
  );
  app.delete<{ Params: AppItemParams }>(
    '/v1/apps/:appId/webhooks/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'deleteWebhook', tags: ['webhooks'], summary: 'Delete an endpoint and its delivery log', params: AppItemParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'webhook_not_found') } } },
    async (req, reply) => {
      await deleteWebhook(ctx, req.params.appId, req.params.id);
      return reply.status(204).send();
    },
  );
  app.post<{ Params: AppItemParams; Body: RotateBody }>(
    '/v1/apps/:appId/webhooks/:id/rotate-secret',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'rotateWebhookSecret', tags: ['webhooks'], summary: 'Make a new secret; the old one signs beside it for a grace period', description: `\`webhook-signature\` carries a \`v1,\` signature under each secret during the grace period (default 24 h). ${DOC}`, params: AppItemParams, body: RotateBody, response: { 200: RotatedSecret, ...guardedProblems('secret', { params: true, body: true }, 'webhook_not_found') } },
    },
    async (req) => rotateSecret(ctx, req.params.appId, req.params.id, req.body),
  );
  app.get<{ Params: AppItemParams; Querystring: MessageListQuery }>(
    '/v1/apps/:appId/webhooks/:id/messages',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listWebhookMessages', tags: ['webhooks'], summary: 'The delivery log of an endpoint, newest first: status, attempts, duration, next try', params: AppItemParams, querystring: MessageListQuery, response: { 200: MessagePage, ...guardedProblems('secret', { params: true }, 'webhook_not_found', 'invalid_cursor') } } },
    async (req) => listMessages(ctx, req.params.appId, req.params.id, req.query),
  );
  app.post<{ Params: AppItemParams; Body: ReplayBody }>(
    '/v1/apps/:appId/webhooks/:id/replay',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'replayWebhookMessages', tags: ['webhooks'], summary: 'Send one message, or every message of a time range, again now', description: `\`{"messageId": "msg_..."}\` or \`{"from": ..., "to": ...}\` (RFC 3339; at most 10,000 messages). Each goes out under its own webhook-id, signed anew, with a fresh retry schedule. ${DOC}`, params: AppItemParams, body: ReplayBody, response: { 202: Replayed, ...guardedProblems('secret', { params: true, body: true }, 'webhook_not_found', 'webhook_message_not_found', 'invalid_replay_range') } },
    },
    async (req, reply) => reply.status(202).send(await replayMessages(ctx, req.params.appId, req.params.id, req.body)),
  );
}
