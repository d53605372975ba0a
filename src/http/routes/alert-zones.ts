import type { FastifyInstance } from 'fastify';
import { checkUserIdentity } from '../../apps/identity.ts';
import type { Principal } from '../../apps/principal.ts';
import { ApiError } from '../../errors/api-error.ts';
import { getApp } from '../../apps/apps.ts';
import { deleteSharedLocation, getAlertChoices, setAlertChoices, setSharedLocation } from '../../alerts/zones.ts';
import type { Context } from '../../context.ts';
import { allowBrowsers, browserPreflight } from '../cors.ts';
import { guard } from '../guards.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { UserParams } from './preferences.schemas.ts';
import { AlertChoices, AlertChoicesBody, SharedLocationBody, UserHashQuery } from './alert-zones.schemas.ts';

const CHOICES = '/v1/apps/:appId/users/:externalId/alert-choices';
const LOCATION = '/v1/apps/:appId/users/:externalId/alert-location';
const WHO = 'With the publishable key, only for its own verified user, in an app that verifies identities (`userIdHash`). See docs/civic-alerts.md#how-users-are-located-and-by-what-consent.';

/**
 * Who may reach a user's alert choices with the publishable key: only their own verified
 * user, so only in an app that verifies identities. A precise position, and whether a
 * person is reached in an emergency, are not for anyone holding the site's public key.
 */
async function checkCaller(ctx: Context, principal: Principal | undefined, appId: string, externalId: string, hash: string | undefined): Promise<void> {
  await checkUserIdentity(ctx, principal, appId, externalId, hash);
  if (principal?.kind !== 'publishable') return;
  const app = await ctx.store.db.selectFrom('apps').select('identity_verification').where('id', '=', appId).executeTakeFirst();
  if (!app?.identity_verification) throw new ApiError('identity_verification_required', 'This app does not verify user ids, so the publishable key cannot reach a user’s alert choices: turn identityVerification on and send userIdHash, or call from your server with the secret key');
}

/** A user's civic alert choices: zones, test alerts, and a position shared for alerts; the SDK calls them for its own user. */
export function alertZoneRoutes(app: FastifyInstance, ctx: Context): void {
  browserPreflight(app, CHOICES, ['GET', 'PUT']);
  app.get<{ Params: UserParams; Querystring: UserHashQuery }>(
    CHOICES,
    { onRequest: guard(ctx, 'publishable'), onSend: allowBrowsers, schema: { operationId: 'getAlertChoices', tags: ['alerts'], summary: 'A user’s alert zones, test-alert opt-in and shared position', description: WHO, params: UserParams, querystring: UserHashQuery, response: { 200: AlertChoices, ...guardedProblems('publishable', { params: true }, 'app_not_found', 'identity_not_verified', 'identity_verification_required') } } },
    async (req) => {
      await getApp(ctx, req.params.appId);
      await checkCaller(ctx, req.principal, req.params.appId, req.params.externalId, req.query.userIdHash);
      return getAlertChoices(ctx, req.params.appId, req.params.externalId);
    },
  );
  app.put<{ Params: UserParams; Body: AlertChoicesBody }>(
    CHOICES,
    { onRequest: guard(ctx, 'publishable'), onSend: allowBrowsers, schema: { operationId: 'setAlertChoices', tags: ['alerts'], summary: 'Set a user’s alert zones (replaced) and test-alert opt-in; an unknown user is created', description: `Members not given are left as they are. ${WHO}`, params: UserParams, body: AlertChoicesBody, response: { 200: AlertChoices, ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'identity_not_verified', 'identity_verification_required') } } },
    async (req) => {
      const { userIdHash, ...change } = req.body;
      await getApp(ctx, req.params.appId);
      await checkCaller(ctx, req.principal, req.params.appId, req.params.externalId, userIdHash);
      return setAlertChoices(ctx, req.params.appId, req.params.externalId, change);
    },
  );
  browserPreflight(app, LOCATION, ['PUT', 'DELETE']);
  app.put<{ Params: UserParams; Body: SharedLocationBody }>(
    LOCATION,
    { onRequest: guard(ctx, 'publishable'), onSend: allowBrowsers, schema: { operationId: 'setAlertLocation', tags: ['alerts'], summary: 'Keep the position a user shared for alerts (used for alerts alone); an unknown user is created', description: WHO, params: UserParams, body: SharedLocationBody, response: { 200: AlertChoices, ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'identity_not_verified', 'identity_verification_required') } } },
    async (req) => {
      const { userIdHash, ...position } = req.body;
      await getApp(ctx, req.params.appId);
      await checkCaller(ctx, req.principal, req.params.appId, req.params.externalId, userIdHash);
      return setSharedLocation(ctx, req.params.appId, req.params.externalId, position);
    },
  );
  app.delete<{ Params: UserParams; Querystring: UserHashQuery }>(
    LOCATION,
    { onRequest: guard(ctx, 'publishable'), onSend: allowBrowsers, schema: { operationId: 'deleteAlertLocation', tags: ['alerts'], summary: 'Forget the position a user shared for alerts', description: WHO, params: UserParams, querystring: UserHashQuery, response: { ...NO_CONTENT, ...guardedProblems('publishable', { params: true }, 'app_not_found', 'identity_not_verified', 'identity_verification_required') } } },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      await checkCaller(ctx, req.principal, req.params.appId, req.params.externalId, req.query.userIdHash);
      await deleteSharedLocation(ctx, req.params.appId, req.params.externalId);
      return reply.status(204).send();
    },
  );
}
