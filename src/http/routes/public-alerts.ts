import type { FastifyInstance, FastifyReply } from 'fastify';
import { renderAlertAtom } from '../../alerts/public-alert-atom.ts';
import { PUBLIC_PAGE_CSP, renderAlertList, renderAlertPage } from '../../alerts/public-alert-html.ts';
import { activePublicAlerts, publicAlert, publicPageOf } from '../../alerts/public-alerts.ts';
import type { Context } from '../../context.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { AtomFeed, HtmlPage, PublicAlertParams } from './public-alerts.schemas.ts';

const DOC = 'Public, no key: the alerts of the app in force now (disposition public, not expired), for people and systems without push. See docs/civic-alerts.md#the-public-alert-page.';

/** Paths of the public page; links are relative to the configured publicUrl, or to this origin when none is set. */
function paths(ctx: Context, appId: string) {
  const base = `${ctx.config.publicUrl.replace(/\/+$/, '')}/public/apps/${encodeURIComponent(appId)}`;
  return { list: `${base}/alerts`, atom: `${base}/alerts.atom`, alert: (id: string) => `${base}/alerts/${encodeURIComponent(id)}` };
}

function publicHeaders(reply: FastifyReply, type: string): FastifyReply {
  // Alerts change within minutes; a minute of caching spares the server a crowd, no more.
  return reply
    .header('content-type', type)
    .header('content-security-policy', PUBLIC_PAGE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'public, max-age=60');
}

export function publicAlertRoutes(app: FastifyInstance, ctx: Context): void {
  app.get<{ Params: AppParams }>(
    '/public/apps/:appId/alerts',
    { schema: { operationId: 'getPublicAlertPage', tags: ['alerts'], summary: 'The app’s alerts in force, as an HTML page', description: DOC, ...PUBLIC, params: AppParams, response: { 200: HtmlPage, ...problems('invalid_request', 'alert_page_not_found') } } },
    async (req, reply) => {
      const { name } = await publicPageOf(ctx, req.params.appId);
      const p = paths(ctx, req.params.appId);
      return publicHeaders(reply, 'text/html; charset=utf-8').send(renderAlertList(name, await activePublicAlerts(ctx, req.params.appId, { cancels: false }), p.alert, p.atom));
    },
  );
  app.get<{ Params: AppParams }>(
    '/public/apps/:appId/alerts.atom',
    { schema: { operationId: 'getPublicAlertFeed', tags: ['alerts'], summary: 'The app’s alerts in force, as an Atom feed of their CAP messages', description: `${DOC} Cancel messages of the last day are entries too, so followers learn what ended.`, ...PUBLIC, params: AppParams, response: { 200: AtomFeed, ...problems('invalid_request', 'alert_page_not_found') } } },
    async (req, reply) => {
      const { name } = await publicPageOf(ctx, req.params.appId);
      const p = paths(ctx, req.params.appId);
      const links = { self: p.atom, page: p.list, alert: p.alert, feedId: `urn:carillon:app:${req.params.appId}:alerts`, alertId: (id: string) => `urn:carillon:alert:${id}` };
      return publicHeaders(reply, 'application/atom+xml; charset=utf-8').send(renderAlertAtom(name, await activePublicAlerts(ctx, req.params.appId, { cancels: true }), links, ctx.now()));
    },
  );
  app.get<{ Params: PublicAlertParams }>(
    '/public/apps/:appId/alerts/:alertId',
    { schema: { operationId: 'getPublicAlert', tags: ['alerts'], summary: 'One alert in force, in full: every language’s description, instruction and areas', description: `${DOC} Notifications whose text was cut link here.`, ...PUBLIC, params: PublicAlertParams, response: { 200: HtmlPage, ...problems('invalid_request', 'alert_page_not_found', 'alert_not_found') } } },
    async (req, reply) => {
      const { name } = await publicPageOf(ctx, req.params.appId);
      const alert = await publicAlert(ctx, req.params.appId, req.params.alertId);
      return publicHeaders(reply, 'text/html; charset=utf-8').send(renderAlertPage(name, alert, paths(ctx, req.params.appId).list));
    },
  );
}
