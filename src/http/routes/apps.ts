import type { FastifyInstance } from 'fastify';
import { createApp, getApp, listApps } from '../../apps/apps.ts';
import { rotateIdentitySecret, setIdentityVerification } from '../../apps/identity.ts';
import { checkAppCategories, setAppCategories } from '../../apps/categories.ts';
import { checkBrowserAttributes, setBrowserAttributes } from '../../audience/users/browser-attributes.ts';
import type { Context } from '../../context.ts';
import { allowBrowsers, browserPreflight } from '../cors.ts';
import { guard } from '../guards.ts';
import { AppParams } from '../schemas.ts';
import { App, CreateAppBody, CreatedApp, IdentitySecret, UpdateAppBody } from './apps.schemas.ts';
import { Type } from '@sinclair/typebox';
import { guardedProblems } from '../openapi.ts';
import { apiKeyRoutes } from './keys.ts';

export function appRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Body: CreateAppBody }>(
    '/v1/apps',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'createApp', tags: ['apps'], summary: 'Create an app with its own VAPID keys and API keys', body: CreateAppBody, response: { 201: CreatedApp, ...guardedProblems('admin', { body: true }, 'invalid_vapid_subject') } } },
    async (req, reply) => reply.status(201).send(await createApp(ctx, req.body)),
  );
  app.get(
    '/v1/apps',
    { onRequest: guard(ctx, 'admin'), schema: { operationId: 'listApps', tags: ['apps'], summary: 'List apps', response: { 200: Type.Object({ data: Type.Array(App) }), ...guardedProblems('admin', {}) } } },
    async () => ({ data: await listApps(ctx) }),
  );
  // The browser SDK reads the VAPID key here, from the site's origin.
  browserPreflight(app, '/v1/apps/:appId', ['GET']);
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId',
    { onRequest: guard(ctx, 'publishable'), onSend: allowBrowsers, schema: { operationId: 'getApp', tags: ['apps'], summary: 'An app and its VAPID public key', params: AppParams, response: { 200: App, ...guardedProblems('publishable', { params: true }, 'app_not_found') } } },
    async (req) => getApp(ctx, req.params.appId),
  );
  app.patch<{ Params: AppParams; Body: UpdateAppBody }>(
    '/v1/apps/:appId',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'updateApp', tags: ['apps'], summary: "Change an app's settings", params: AppParams, body: UpdateAppBody, response: { 200: App, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'identity_secret_missing', 'category_reserved', 'invalid_attribute') } } },
    async (req) => {
      // Every setting is checked before any is changed: a refused PATCH changes nothing.
      if (req.body.categories !== undefined) checkAppCategories(req.body.categories);
      if (req.body.browserAttributes !== undefined) checkBrowserAttributes(req.body.browserAttributes);
      if (req.body.identityVerification !== undefined) await setIdentityVerification(ctx, req.params.appId, req.body.identityVerification);
      if (req.body.categories !== undefined) await setAppCategories(ctx, req.params.appId, req.body.categories);
      if (req.body.browserAttributes !== undefined) await setBrowserAttributes(ctx, req.params.appId, req.body.browserAttributes);
      return getApp(ctx, req.params.appId);
    },
  );
  app.post<{ Params: AppParams }>(
    '/v1/apps/:appId/identity-secret',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'rotateIdentitySecret', tags: ['apps'], summary: 'Make a new identity secret for user id hashes (the old one stops verifying)', params: AppParams, response: { 201: IdentitySecret, ...guardedProblems('secret', { params: true }, 'app_not_found') } } },
    async (req, reply) => reply.status(201).send(await rotateIdentitySecret(ctx, req.params.appId)),
  );
  apiKeyRoutes(app, ctx);
}
