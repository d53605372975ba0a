import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { deleteCredentials, listCredentials, setApnsCredentials, setFcmCredentials, type CredentialKind } from '../../credentials/credentials.ts';
import { guard } from '../guards.ts';
import { ApnsCredentialsBody, AppParams, CredentialKindParams, Credentials, CredentialsList, FcmCredentialsBody } from '../schemas.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';

/** An app's APNs and FCM credentials: secret-key only; answers never carry the secrets. */
export function credentialRoutes(app: FastifyInstance, ctx: Context): void {
  app.put<{ Params: { appId: string }; Body: ApnsCredentialsBody }>(
    '/v1/apps/:appId/credentials/apns',
    {
      preHandler: guard(ctx, 'secret'),
      schema: { operationId: 'setApnsCredentials', tags: ['credentials'], summary: 'Set the APNs token signing key (.p8); replaces the previous one', params: AppParams, body: ApnsCredentialsBody, response: { 200: Credentials, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'credentials_invalid') } },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return setApnsCredentials(ctx, req.params.appId, req.body);
    },
  );
  app.put<{ Params: { appId: string }; Body: FcmCredentialsBody }>(
    '/v1/apps/:appId/credentials/fcm',
    {
      preHandler: guard(ctx, 'secret'),
      schema: { operationId: 'setFcmCredentials', tags: ['credentials'], summary: 'Set the FCM service account; replaces the previous one', params: AppParams, body: FcmCredentialsBody, response: { 200: Credentials, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'credentials_invalid') } },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return setFcmCredentials(ctx, req.params.appId, req.body.serviceAccount);
    },
  );
  app.get<{ Params: { appId: string } }>(
    '/v1/apps/:appId/credentials',
    { preHandler: guard(ctx, 'secret'), schema: { operationId: 'listCredentials', tags: ['credentials'], summary: 'Which credentials are set (without secrets)', params: AppParams, response: { 200: CredentialsList, ...guardedProblems('secret', { params: true }, 'app_not_found') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return { data: await listCredentials(ctx, req.params.appId) };
    },
  );
  app.delete<{ Params: { appId: string; kind: CredentialKind } }>(
    '/v1/apps/:appId/credentials/:kind',
    { preHandler: guard(ctx, 'secret'), schema: { operationId: 'deleteCredentials', tags: ['credentials'], summary: 'Remove credentials', params: CredentialKindParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'credentials_not_found') } } },
    async (req, reply) => {
      await deleteCredentials(ctx, req.params.appId, req.params.kind);
      return reply.status(204).send();
    },
  );
}
