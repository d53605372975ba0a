import type { FastifyInstance } from 'fastify';
import { createApp, getApp, listApps } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { App, AppParams, CreateAppBody, CreatedApp } from '../schemas.ts';
import { Type } from '@sinclair/typebox';

export function appRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Body: CreateAppBody }>(
    '/v1/apps',
    { preHandler: guard(ctx, 'admin'), schema: { tags: ['apps'], summary: 'Create an app with its own VAPID keys and API keys', body: CreateAppBody, response: { 201: CreatedApp } } },
    async (req, reply) => reply.status(201).send(await createApp(ctx, req.body)),
  );
  app.get(
    '/v1/apps',
    { preHandler: guard(ctx, 'admin'), schema: { tags: ['apps'], summary: 'List apps', response: { 200: Type.Object({ data: Type.Array(App) }) } } },
    async () => ({ data: await listApps(ctx) }),
  );
  app.get<{ Params: { appId: string } }>(
    '/v1/apps/:appId',
    { preHandler: guard(ctx, 'publishable'), schema: { tags: ['apps'], summary: 'An app and its VAPID public key', params: AppParams, response: { 200: App } } },
    async (req) => getApp(ctx, req.params.appId),
  );
}
