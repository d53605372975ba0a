import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { checkUserIdentity } from '../../apps/identity.ts';
import { MAX_TRACK_BODY_BYTES } from '../../audience/events/limits.ts';
import { trackEvents } from '../../audience/events/track-events.ts';
import { recordConversions } from '../../analytics/conversions.ts';
import { journeyEventsStored } from '../../journeys/index.ts';
import type { Context } from '../../context.ts';
import { allowBrowsers, browserPreflight } from '../cors.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { TrackBody, TrackResult } from './track.schemas.ts';

const DAY = 86_400_000;

export function trackRoutes(app: FastifyInstance, ctx: Context): void {
  browserPreflight(app, '/v1/apps/:appId/track', ['POST']);
  app.post<{ Params: AppParams; Body: TrackBody }>(
    '/v1/apps/:appId/track',
    {
      // A browser (publishable key) reports for its own verified user, rated per client like the other browser routes.
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      bodyLimit: MAX_TRACK_BODY_BYTES,
      schema: {
        operationId: 'trackEvents',
        tags: ['audience'],
        summary: 'Record what users did: up to 1,000 events; a bad event is refused alone',
        description:
          'With the secret key, events for any users; with the publishable key, for one user only, proven by `userIdHash` when the app verifies identities. A user not yet known is created. An event whose `id` is already stored counts once, as a duplicate.',
        params: AppParams,
        body: TrackBody,
        response: { 200: TrackResult, ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'identity_not_verified') },
      },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      let onlyUser: string | undefined;
      if (req.principal?.kind === 'publishable') {
        // One browser is one user: the first event names it, its hash proves it, and
        // events for anyone else are refused (event_user_not_allowed).
        onlyUser = req.body.events[0]!.userId;
        await checkUserIdentity(ctx, req.principal, req.params.appId, onlyUser, req.body.userIdHash);
      }
      const appId = req.params.appId;
      // A conversion event counts in the transaction that stores it (docs/analytics.md#conversions).
      return trackEvents({ db: ctx.store.db, now: ctx.now, retention: ctx.config.eventRetentionDays * DAY, onStored: async (tx, stored, created) => {
        await recordConversions(tx, appId, stored);
        // Journeys: what these events start, move on or end, queued with them (src/journeys/journey-events.ts).
        await journeyEventsStored(ctx, tx, appId, stored, { server: req.principal?.kind !== 'publishable', created });
      } }, appId, req.body.events, onlyUser);
    },
  );
}
