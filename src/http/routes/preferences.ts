import type { FastifyInstance } from 'fastify';
import { checkUserIdentity } from '../../apps/identity.ts';
import { getPreferences, setPreferences } from '../../audience/preferences/preferences.ts';
import { getUserQuietHours, setUserQuietHours, UserQuietHours } from '../../campaigns/user-quiet-hours.ts';
import type { Context } from '../../context.ts';
import { allowBrowsers, browserPreflight } from '../cors.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { Preferences, PreferencesBody, PreferencesQuery, QuietHoursBody, UserParams } from './preferences.schemas.ts';

const PATH = '/v1/apps/:appId/users/:externalId/preferences';
const QUIET_PATH = '/v1/apps/:appId/users/:externalId/quiet-hours';

export function preferenceRoutes(app: FastifyInstance, ctx: Context): void {
  // A site's preference page (the SDK's form) reads and sets its own user's choices.
  browserPreflight(app, PATH, ['GET', 'PUT']);
  app.get<{ Params: UserParams; Querystring: PreferencesQuery }>(
    PATH,
    {
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      schema: {
        operationId: 'getUserPreferences',
        tags: ['users'],
        summary: "A user's notification preferences: every category of the app, true unless turned off",
        description: 'With the publishable key, only for its own verified user: `userIdHash` in the query when the app verifies identities.',
        params: UserParams,
        querystring: PreferencesQuery,
        response: { 200: Preferences, ...guardedProblems('publishable', { params: true }, 'app_not_found', 'identity_not_verified') },
      },
    },
    async (req) => {
      await checkUserIdentity(ctx, req.principal, req.params.appId, req.params.externalId, req.query.userIdHash);
      return getPreferences(ctx, req.params.appId, req.params.externalId);
    },
  );
  app.put<{ Params: UserParams; Body: PreferencesBody }>(
    PATH,
    {
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      schema: {
        operationId: 'setUserPreferences',
        tags: ['users'],
        summary: 'Turn categories of notification on or off for a user (an unknown user is created)',
        description: 'With the publishable key, only for its own verified user: `userIdHash` in the body when the app verifies identities. `security` cannot be turned off.',
        params: UserParams,
        body: PreferencesBody,
        response: { 200: Preferences, ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'identity_not_verified', 'unknown_category', 'category_always_on') },
      },
    },
    async (req) => {
      const { userIdHash, ...changes } = req.body;
      await checkUserIdentity(ctx, req.principal, req.params.appId, req.params.externalId, userIdHash);
      return setPreferences(ctx, req.params.appId, req.params.externalId, changes as Record<string, boolean>);
    },
  );

  // The same page sets the user's own quiet hours, which replace the app's for campaigns.
  browserPreflight(app, QUIET_PATH, ['GET', 'PUT']);
  app.get<{ Params: UserParams; Querystring: PreferencesQuery }>(
    QUIET_PATH,
    {
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      schema: {
        operationId: 'getUserQuietHours',
        tags: ['users'],
        summary: "A user's own quiet hours, or null when the app's apply",
        description: 'With the publishable key, only for its own verified user: `userIdHash` in the query when the app verifies identities.',
        params: UserParams,
        querystring: PreferencesQuery,
        response: { 200: UserQuietHours, ...guardedProblems('publishable', { params: true }, 'app_not_found', 'identity_not_verified') },
      },
    },
    async (req) => {
      await checkUserIdentity(ctx, req.principal, req.params.appId, req.params.externalId, req.query.userIdHash);
      return getUserQuietHours(ctx, req.params.appId, req.params.externalId);
    },
  );
  app.put<{ Params: UserParams; Body: QuietHoursBody }>(
    QUIET_PATH,
    {
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      schema: {
        operationId: 'setUserQuietHours',
        tags: ['users'],
        summary: "Set a user's own quiet hours (null: the app's apply again); an unknown user is created",
        description:
          'Campaign messages due inside the window on the user’s clock are held to its end, replacing the app’s window for this user (docs/campaigns-timing.md#quiet-hours). With the publishable key, only for its own verified user: `userIdHash` in the body when the app verifies identities.',
        params: UserParams,
        body: QuietHoursBody,
        response: { 200: UserQuietHours, ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'identity_not_verified', 'invalid_quiet_hours') },
      },
    },
    async (req) => {
      await checkUserIdentity(ctx, req.principal, req.params.appId, req.params.externalId, req.body.userIdHash);
      return setUserQuietHours(ctx, req.params.appId, req.params.externalId, req.body.quietHours);
    },
  );
}
