import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { CapAlertJson } from '../../alerts/alert-json.ts';
import { getAlert, listAlerts, receiveCapAlert, receiveJsonAlert } from '../../alerts/alerts.ts';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { CAP_MAX_BYTES } from '../../protocol/cap/index.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { Alert, AlertDetail, AlertListQuery, AlertPage, AlertPostQuery, CAP_MEDIA_TYPES, CapBody } from './alerts.schemas.ts';

const CAP_CODES = ['app_not_found', 'cap_refused', 'cap_malformed', 'cap_invalid', 'cap_signature_invalid'] as const;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Civic alerts: CAP 1.2 posted by an alerting authority or the app's backend
 * (docs/civic-alerts.md). The XML media types are read only here: a plugin of their own
 * keeps the parser off every other route, which still answer 415 to XML.
 */
export function alertRoutes(app: FastifyInstance, ctx: Context): void {
  void app.register(async (scope) => {
    // CAP 1.2 §2.3 names no media type; application/cap+xml is the IANA-registered one (RFC 6838 tree, OASIS).
    scope.addContentTypeParser([...CAP_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit: CAP_MAX_BYTES }, (_req, body: Buffer, done) => {
      try {
        done(null, utf8.decode(body));
      } catch {
        done(new ApiError('cap_malformed', 'The document is not UTF-8', { reason: 'xml' }), undefined);
      }
    });

    scope.post<{ Params: AppParams; Querystring: AlertPostQuery; Body: string | CapAlertJson }>(
      '/v1/apps/:appId/alerts',
      {
        onRequest: guard(ctx, 'secret'),
        bodyLimit: CAP_MAX_BYTES,
        schema: {
          operationId: 'receiveAlert',
          tags: ['alerts'],
          summary: 'Receive a CAP 1.2 alert',
          description:
            'The body is one CAP `<alert>` as `application/cap+xml` or `application/xml`, at most 900 KB, or the same fields as `application/json`. The same alert (sender, identifier, sent) posted again answers 200 with the alert already held; a new one 201. ' +
            'A refused document answers problem+json naming the element at fault (`element`) and stores nothing. Who the alert reaches is its `disposition`; one that reaches people is sent at once (`notification`). See docs/civic-alerts.md.',
          params: AppParams,
          querystring: AlertPostQuery,
          body: CapBody,
          response: { 200: Alert, 201: Alert, ...guardedProblems('secret', { params: true, body: true }, ...CAP_CODES) },
        },
      },
      async (req, reply) => {
        await getApp(ctx, req.params.appId);
        // Fastify reads text/plain as a string too: only the CAP media types are CAP.
        const mediaType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const isCap = typeof req.body === 'string' && (CAP_MEDIA_TYPES as readonly string[]).includes(mediaType);
        const isJson = mediaType === 'application/json' && typeof req.body === 'object' && req.body !== null;
        if (!isCap && !isJson) throw new ApiError('unsupported_media_type', `Send the alert as ${CAP_MEDIA_TYPES.join(' or ')}, or as application/json`);
        const send = { includeUnlocated: req.query.reach === 'area_and_unlocated' };
        const { alert, created } = isCap ? await receiveCapAlert(ctx, req.params.appId, req.body as string, 'xml', send) : await receiveJsonAlert(ctx, req.params.appId, req.body as CapAlertJson, send);
        return reply.status(created ? 201 : 200).header('location', `/v1/apps/${req.params.appId}/alerts/${alert.id}`).send(alert);
      },
    );
  });

  app.get<{ Params: AppParams; Querystring: AlertListQuery }>(
    '/v1/apps/:appId/alerts',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'listAlerts', tags: ['alerts'], summary: 'The app’s alerts, newest received first, by cursor', params: AppParams, querystring: AlertListQuery, response: { 200: AlertPage, ...guardedProblems('secret', { params: true }, 'invalid_cursor') } },
    },
    async (req) => listAlerts(ctx, req.params.appId, req.query),
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/alerts/:id',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'getAlert', tags: ['alerts'], summary: 'One alert, with every CAP field as parsed', params: AppItemParams, response: { 200: AlertDetail, ...guardedProblems('secret', { params: true }, 'alert_not_found') } },
    },
    async (req) => getAlert(ctx, req.params.appId, req.params.id),
  );
}
