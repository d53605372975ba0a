import type { FastifyInstance } from 'fastify';
import { createApiKey, listApiKeys, revokeApiKey } from '../../apps/api-keys.ts';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { ApiKeyList, CreateKeyBody, CreatedApiKey, KeyParams } from './keys.schemas.ts';

/**
 * An app's API keys (docs/api.md#api-keys): the admin key, the app's secret key, or an
 * owner's session (src/http/route-roles.ts) may list, create and revoke them; a viewer's
 * session may list them (prefixes only).
 */
export function apiKeyRoutes(app: FastifyInstance, ctx: Context): void {
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/keys',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listApiKeys', tags: ['apps'], summary: "An app's API keys: prefix, label, last use, revocation (never the key)", params: AppParams, response: { 200: ApiKeyList, ...guardedProblems('secret', { params: true }, 'app_not_found') } } },
    async (req) => ({ data: await listApiKeys(ctx, req.params.appId) }),
  );
  app.post<{ Params: AppParams; Body: CreateKeyBody }>(
    '/v1/apps/:appId/keys',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'createApiKey', tags: ['apps'], summary: 'Make a new secret or publishable key; the key is shown once', params: AppParams, body: CreateKeyBody, response: { 201: CreatedApiKey, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found') } } },
    async (req, reply) => reply.status(201).send(await createApiKey(ctx, req.params.appId, req.body)),
  );
  app.delete<{ Params: KeyParams }>(
    '/v1/apps/:appId/keys/:keyId',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'revokeApiKey', tags: ['apps'], summary: 'Revoke a key: refused from the next request on, on every process', params: KeyParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'app_not_found', 'api_key_not_found', 'last_secret_key') } } },
    async (req, reply) => {
      await revokeApiKey(ctx, req.params.appId, req.params.keyId);
      return reply.status(204).send();
    },
  );
}
