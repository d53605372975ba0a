import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../errors/api-error.ts';
import { optInStats } from '../../analytics/opt-in-stats.ts';
import { recordEvents } from '../../analytics/record-events.ts';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { allowBrowsers, browserPreflight } from '../cors.ts';
import { EventsBody, EventsResult, OptInStatsReply, StatsQuery } from './events.schemas.ts';
import { guard } from '../guards.ts';
import { AppParams } from '../schemas.ts';
import { guardedProblems } from '../openapi.ts';

export function eventRoutes(app: FastifyInstance, ctx: Context): void {
  browserPreflight(app, '/v1/apps/:appId/events', ['POST']);
  app.post<{ Params: AppParams; Body: EventsBody }>(
    '/v1/apps/:appId/events',
    {
      onRequest: guard(ctx, 'publishable'),
      onSend: allowBrowsers,
      schema: {
        operationId: 'reportEvents',
        tags: ['analytics'],
        summary: 'Report what a browser saw: opt-in steps, and notifications displayed, clicked or dismissed',
        description:
          'Sent by the browser SDK and its service worker. A retried report counts once. Events about a notification or subscription the app does not have are ignored (and counted as such), not refused.',
        params: AppParams,
        body: EventsBody,
        response: { 200: EventsResult, ...guardedProblems('publishable', { params: true, body: true }, 'app_not_found', 'invalid_event') },
      },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return recordEvents({ db: ctx.store.db, now: ctx.now }, req.params.appId, req.body.events);
    },
  );
  app.get<{ Params: AppParams; Querystring: StatsQuery }>(
    '/v1/apps/:appId/stats/opt-in',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'getOptInStats', tags: ['analytics'], summary: 'Opt-in funnel: prompts shown, accepted, granted, subscribed; and the opt-in rate', params: AppParams, querystring: StatsQuery, response: { 200: OptInStatsReply, ...guardedProblems('secret', { params: true }, 'app_not_found') } },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      const { from, to } = req.query;
      const time = (name: string, value: string) => {
        const ms = Date.parse(value);
        // JSON Schema's date-time admits leap seconds (23:59:60), which Date.parse does not.
        if (Number.isNaN(ms)) throw new ApiError('invalid_request', `${name}: "${value}" is not a time this server can read`);
        return ms;
      };
      return optInStats(ctx.store.db, req.params.appId, {
        ...(from !== undefined ? { from: time('from', from) } : {}),
        ...(to !== undefined ? { to: time('to', to) } : {}),
      });
    },
  );
}
