import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { browserAttributes } from '../../audience/users/browser-attributes.ts';
import { checkUserIdentity } from '../../apps/identity.ts';
import { checkBrowserWrite } from '../../audience/users/browser-write.ts';
import { importUsers } from '../../audience/users/import-users.ts';
import { eraseUser, exportUser } from '../../audience/users/privacy.ts';
import { getUser, listUsers, recordSession, upsertUser } from '../../audience/users/users.ts';
import { withAttributeTriggers } from '../../journeys/index.ts';
import type { Context } from '../../context.ts';
import { allowBrowsers, browserPreflight } from '../cors.ts';
import { guard } from '../guards.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { ImportBody, ImportResult, SessionBody, User, UserBody, UserExport, UserListQuery, UserPage, UserParams } from './users.schemas.ts';

const USER_RULES = ['invalid_attribute', 'too_many_attributes', 'invalid_language', 'invalid_timezone', 'invalid_country'] as const;

export function userRoutes(app: FastifyInstance, ctx: Context): void {
  // Browsers (the SDK) set their own verified user's language, time zone and the app's
  // browserAttributes, and start sessions; everything else is the site's server's.
  browserPreflight(app, '/v1/apps/:appId/users/:externalId', ['PUT']);
  browserPreflight(app, '/v1/apps/:appId/users/:externalId/sessions', ['POST']);
  // The export first: the OpenAPI document lists paths in this order, and its fuzz test
  // (test/api/openapi-fuzz.test.ts) reaches a user's export before an erasure removes them.
  app.get<{ Params: UserParams }>(
    '/v1/apps/:appId/users/:externalId/export',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'exportUser', tags: ['users'], summary: 'Everything held about a user, as JSON (GDPR Art. 15 and 20)', params: UserParams, response: { 200: UserExport, ...guardedProblems('secret', { params: true }, 'user_not_found') } },
    },
    async (req) => exportUser(ctx, req.params.appId, req.params.externalId),
  );
  app.post<{ Params: UserParams; Body: SessionBody }>(
    '/v1/apps/:appId/users/:externalId/sessions',
    {
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      schema: {
        operationId: 'startUserSession',
        tags: ['users'],
        summary: 'A session start: lastSeenAt is now and sessionCount one more (the user is created if new)',
        params: UserParams,
        body: SessionBody,
        response: { ...NO_CONTENT, ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'identity_not_verified') },
      },
    },
    async (req, reply) => {
      const { appId, externalId } = req.params;
      await getApp(ctx, appId);
      await checkUserIdentity(ctx, req.principal, appId, externalId, req.body.userIdHash);
      await recordSession(ctx, appId, externalId);
      return reply.status(204).send();
    },
  );
  app.put<{ Params: UserParams; Body: UserBody }>(
    '/v1/apps/:appId/users/:externalId',
    {
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      schema: {
        operationId: 'upsertUser',
        tags: ['users'],
        summary: 'Create or merge a user: absent fields are kept, null removes',
        params: UserParams,
        body: UserBody,
        response: { 200: User, ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'identity_not_verified', 'attribute_not_writable', ...USER_RULES) },
      },
    },
    async (req) => {
      const { appId, externalId } = req.params;
      await getApp(ctx, appId);
      if (req.principal?.kind === 'publishable') {
        await checkUserIdentity(ctx, req.principal, appId, externalId, req.body.userIdHash);
        checkBrowserWrite(req.body, await browserAttributes(ctx, appId));
      }
      const { userIdHash: _proof, ...fields } = req.body;
      // Journeys triggered by an attribute's change start from what the app's server changed
      // (src/journeys/attribute-change.ts); a browser's own writes start none (docs/journeys.md).
      if (req.principal?.kind === 'publishable') return upsertUser(ctx, appId, externalId, fields);
      return withAttributeTriggers(ctx, appId, externalId, fields.attributes, () => upsertUser(ctx, appId, externalId, fields));
    },
  );
  app.get<{ Params: UserParams }>(
    '/v1/apps/:appId/users/:externalId',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getUser', tags: ['users'], summary: 'One user', params: UserParams, response: { 200: User, ...guardedProblems('secret', { params: true }, 'user_not_found') } } },
    async (req) => getUser(ctx, req.params.appId, req.params.externalId),
  );
  app.delete<{ Params: UserParams }>(
    '/v1/apps/:appId/users/:externalId',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'eraseUser',
        tags: ['users'],
        summary: 'Erase a user and everything held about them (GDPR Art. 17): subscriptions, events, preferences, delivery records',
        params: UserParams,
        response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'user_not_found') },
      },
    },
    async (req, reply) => {
      // What was removed is logged, table by table (eraseUser), as the record of the erasure.
      await eraseUser(ctx, req.params.appId, req.params.externalId);
      return reply.status(204).send();
    },
  );
  app.get<{ Params: AppParams; Querystring: UserListQuery }>(
    '/v1/apps/:appId/users',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listUsers', tags: ['users'], summary: 'List users, oldest first, by cursor', params: AppParams, querystring: UserListQuery, response: { 200: UserPage, ...guardedProblems('secret', { params: true }, 'invalid_cursor', 'invalid_filter', 'filter_too_complex', 'unknown_segment', 'segment_cycle') } } },
    async (req) => listUsers(ctx, req.params.appId, req.query),
  );
  app.post<{ Params: AppParams; Body: ImportBody }>(
    '/v1/apps/:appId/users/import',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'importUsers',
        tags: ['users'],
        summary: 'Import a page of up to 1,000 users (each created or merged); bad rows are refused by index, the rest imported',
        params: AppParams,
        body: ImportBody,
        response: { 200: ImportResult, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found') },
      },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return importUsers(ctx, req.params.appId, req.body.users);
    },
  );
}
