import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { funnelOf } from '../../analytics/funnel.ts';
import { checkSeriesParams, querySeries, seriesCsv, type Series, type SeriesQuery } from '../../analytics/series.ts';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { AnalyticsQuery, AnalyticsSeries, CSV_MEDIA_TYPE, OwnAnalytics } from './analytics.schemas.ts';

const DOC =
  'Time series from the hourly rollups of the activity log (docs/analytics.md). `Accept: text/csv` answers the same series as CSV (columns `start`, `group`, then the metrics; a rate with no denominator is empty). A wrong parameter answers `invalid_analytics_query` with `pointer` naming it.';

/** A 200 that is JSON, or CSV when asked for with Accept. */
function jsonOrCsv(schema: object, csvOf: string): Record<number, object> {
  return {
    200: {
      description: `The series; as CSV (${csvOf}) with Accept: text/csv`,
      content: { 'application/json': { schema }, [CSV_MEDIA_TYPE]: { schema: { type: 'string' } } },
    },
  };
}

function wantsCsv(req: FastifyRequest): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((part) => part.trim().toLowerCase().startsWith(CSV_MEDIA_TYPE));
}

async function appTimezone(ctx: Context, appId: string): Promise<string | null> {
  const row = await ctx.store.db.selectFrom('apps').select('timezone').where('id', '=', appId).executeTakeFirst();
  if (!row) throw new ApiError('app_not_found', `No app with id ${appId}`);
  return row.timezone;
}

function send(reply: FastifyReply, req: FastifyRequest, series: Series, body: unknown, name: string) {
  if (!wantsCsv(req)) return body;
  return reply.type(`${CSV_MEDIA_TYPE}; charset=utf-8`).header('content-disposition', `attachment; filename="${name}.csv"`).send(seriesCsv(series));
}

export function analyticsRoutes(app: FastifyInstance, ctx: Context): void {
  const query = async (appId: string, q: AnalyticsQuery, own: Partial<Pick<SeriesQuery, 'campaignId' | 'notificationId'>> = {}): Promise<SeriesQuery> => ({
    ...checkSeriesParams(q, { appId, appTimezone: await appTimezone(ctx, appId), now: ctx.now() }),
    ...own,
  });

  app.get<{ Params: AppParams; Querystring: AnalyticsQuery }>(
    '/v1/apps/:appId/analytics',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'getAnalytics',
        tags: ['analytics'],
        summary: 'Counts and rates per hour or day, overall or by campaign, category, channel or variant',
        description: DOC,
        params: AppParams,
        querystring: AnalyticsQuery,
        response: { ...jsonOrCsv(AnalyticsSeries, 'the series'), ...guardedProblems('secret', { params: true }, 'app_not_found', 'invalid_analytics_query') },
      },
    },
    async (req, reply) => {
      const series = await querySeries(ctx.store.db, await query(req.params.appId, req.query));
      return send(reply, req, series, series, 'analytics');
    },
  );

  app.get<{ Params: AppItemParams; Querystring: AnalyticsQuery }>(
    '/v1/apps/:appId/campaigns/:id/analytics',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'getCampaignAnalytics',
        tags: ['analytics'],
        summary: 'A campaign’s funnel (targeted to converted) and its series, across all its notifications',
        description: DOC,
        params: AppItemParams,
        querystring: AnalyticsQuery,
        response: { ...jsonOrCsv(OwnAnalytics, 'the series only'), ...guardedProblems('secret', { params: true }, 'app_not_found', 'campaign_not_found', 'invalid_analytics_query') },
      },
    },
    async (req, reply) => {
      const { appId, id } = req.params;
      const q = await query(appId, req.query, { campaignId: id });
      const found = await ctx.store.db.selectFrom('campaigns').select('id').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
      if (!found) throw new ApiError('campaign_not_found', `No campaign ${id} in this app`);
      const [funnel, series] = await Promise.all([funnelOf(ctx.store.db, appId, { campaignId: id }), querySeries(ctx.store.db, q)]);
      return send(reply, req, series, { id, funnel, analytics: series }, `campaign-${id}`);
    },
  );

  app.get<{ Params: AppItemParams; Querystring: AnalyticsQuery }>(
    '/v1/apps/:appId/notifications/:id/analytics',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'getNotificationAnalytics',
        tags: ['analytics'],
        summary: 'A notification’s funnel (targeted to converted) and its series',
        description: DOC,
        params: AppItemParams,
        querystring: AnalyticsQuery,
        response: { ...jsonOrCsv(OwnAnalytics, 'the series only'), ...guardedProblems('secret', { params: true }, 'app_not_found', 'notification_not_found', 'invalid_analytics_query') },
      },
    },
    async (req, reply) => {
      const { appId, id } = req.params;
      const q = await query(appId, req.query, { notificationId: id });
      const found = await ctx.store.db.selectFrom('notifications').select('id').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
      if (!found) throw new ApiError('notification_not_found', `No notification ${id} in this app`);
      const [funnel, series] = await Promise.all([funnelOf(ctx.store.db, appId, { notificationId: id }), querySeries(ctx.store.db, q)]);
      return send(reply, req, series, { id, funnel, analytics: series }, `notification-${id}`);
    },
  );
}
