import type { FastifyInstance } from 'fastify';
import type { Context } from '../../context.ts';
import { SdkAssets, type SdkFile } from '../../sdk/sdk-assets.ts';
import { PUBLIC, problems } from '../openapi.ts';
import { JavaScriptFile, NotModified } from '../operations-schemas.ts';

const SDK_OPERATIONS: Record<SdkFile, string> = { 'carillon.js': 'getSdk', 'carillon-sw.js': 'getServiceWorker' };

/**
 * Public: the browser SDK (an ES module a site imports from any origin, hence CORS) and its
 * service worker (which a site serves from its own origin, or imports with `importScripts`).
 */
export function sdkRoutes(app: FastifyInstance, ctx: Context): void {
  const assets = new SdkAssets({ logger: ctx.logger.child({ module: 'sdk' }) });
  const serve = (file: SdkFile, summary: string, headers: Record<string, string> = {}) =>
    app.get(`/sdk/${file}`, { schema: { operationId: SDK_OPERATIONS[file], tags: ['sdk'], summary, ...PUBLIC, response: { 200: JavaScriptFile, 304: NotModified, ...problems('sdk_unavailable') } } }, async (req, reply) => {
      const asset = await assets.get(file);
      void reply
        .header('content-type', 'text/javascript; charset=utf-8')
        // Unversioned URLs: always revalidate, so a server upgrade reaches browsers at once.
        .header('cache-control', 'no-cache')
        .header('etag', asset.etag)
        .header('access-control-allow-origin', '*')
        .headers(headers);
      if (req.headers['if-none-match'] === asset.etag) return reply.status(304).send();
      return reply.send(asset.body);
    });
  serve('carillon.js', 'The browser SDK (ES module)');
  // Lets a site that proxies this file at any path register it for its whole origin.
  serve('carillon-sw.js', 'The service worker (classic script)', { 'service-worker-allowed': '/' });
}
