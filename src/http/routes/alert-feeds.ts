import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { createFeed, deleteFeed, getFeed, listFeeds, updateFeed } from '../../alerts/feeds/index.ts';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { Feed, FeedBody, FeedList, FeedPatchBody } from './alert-feeds.schemas.ts';

const DOC = 'A feed is an Atom or RSS feed of CAP messages, or one CAP message, polled with ETag and If-Modified-Since; each CAP message goes in as a posted alert would. See docs/civic-alerts.md#connecting-a-cap-feed.';

export function alertFeedRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Params: AppParams; Body: FeedBody }>(
    '/v1/apps/:appId/alert-feeds',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'createAlertFeed', tags: ['alerts'], summary: 'Poll a CAP feed; the first poll is due at once', description: DOC, params: AppParams, body: FeedBody, response: { 201: Feed, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'alert_feed_url_rejected', 'too_many_alert_feeds') } },
    },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      const feed = await createFeed(ctx, req.params.appId, req.body);
      return reply.status(201).header('location', `/v1/apps/${req.params.appId}/alert-feeds/${feed.id}`).send(feed);
    },
  );
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/alert-feeds',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listAlertFeeds', tags: ['alerts'], summary: 'The app’s CAP feeds, oldest first, each with its last poll', params: AppParams, response: { 200: FeedList, ...guardedProblems('secret', { params: true }) } } },
    async (req) => listFeeds(ctx, req.params.appId),
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/alert-feeds/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getAlertFeed', tags: ['alerts'], summary: 'One CAP feed: its last poll, status and error', params: AppItemParams, response: { 200: Feed, ...guardedProblems('secret', { params: true }, 'alert_feed_not_found') } } },
    async (req) => getFeed(ctx, req.params.appId, req.params.id),
  );
  app.patch<{ Params: AppItemParams; Body: FeedPatchBody }>(
    '/v1/apps/:appId/alert-feeds/:id',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'updateAlertFeed', tags: ['alerts'], summary: 'Change a feed’s URL, interval or reach; it is polled again at once, its failures forgotten', description: DOC, params: AppItemParams, body: FeedPatchBody, response: { 200: Feed, ...guardedProblems('secret', { params: true, body: true }, 'alert_feed_not_found', 'alert_feed_url_rejected') } },
    },
    async (req) => updateFeed(ctx, req.params.appId, req.params.id, req.body),
  );
  app.delete<{ Params: AppItemParams }>(
    '/v1/apps/:appId/alert-feeds/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'deleteAlertFeed', tags: ['alerts'], summary: 'Stop polling a feed (the alerts it brought stay)', params: AppItemParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'alert_feed_not_found') } } },
    async (req, reply) => {
      await deleteFeed(ctx, req.params.appId, req.params.id);
      return reply.status(204).send();
    },
  );
}
