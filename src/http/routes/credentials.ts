import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { deleteCredentials, listCredentials, setApnsCredentials, setFcmCredentials } from '../../credentials/credentials.ts';
import type { CredentialKind } from '../../providers/stored-credentials.ts';
import { guard } from '../guards.ts';
import { AppParams } from '../schemas.ts';
import { ApnsCredentialsBody, CredentialKindParams, Credentials, CredentialsList, FcmCredentialsBody } from './credentials.schemas.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';

/** An app's APNs and FCM credentials: secret-key only; answers never carry the secrets. */
export function credentialRoutes(app: FastifyInstance, ctx: Context): void {
  app.put<{ Params: AppParams; Body: ApnsCredentialsBody }>(
    '/v1/apps/:appId/credentials/apns',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'setApnsCredentials', tags: ['credentials'], summary: 'Set the APNs token signing key (.p8); replaces the previous one', params: AppParams, body: ApnsCredentialsBody, response: { 200: Credentials, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'credentials_invalid') } },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return setApnsCredentials(ctx, req.params.appId, req.body);
    },
  );
  app.put<{ Params: AppParams; Body: FcmCredentialsBody }>(
    '/v1/apps/:appId/credentials/fcm',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'setFcmCredentials', tags: ['credentials'], summary: 'Set the FCM service account; replaces the previous one', params: AppParams, body: FcmCredentialsBody, response: { 200: Credentials, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'credentials_invalid') } },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return setFcmCredentials(ctx, req.params.appId, req.body.serviceAccount);
    },
  );
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/credentials',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listCredentials', tags: ['credentials'], summary: 'Which credentials are set (without secrets)', params: AppParams, response: { 200: CredentialsList, ...guardedProblems('secret', { params: true }, 'app_not_found') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return { data: await listCredentials(ctx, req.params.appId) };
    },
  );
  app.delete<{ Params: CredentialKindParams }>(
    '/v1/apps/:appId/credentials/:kind',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'deleteCredentials', tags: ['credentials'], summary: 'Remove credentials', params: CredentialKindParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'credentials_not_found') } } },
    async (req, reply) => {
      await deleteCredentials(ctx, req.params.appId, req.params.kind);
      return reply.status(204).send();
    },
  );
}
