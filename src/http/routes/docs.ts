import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DASHBOARD_CSP } from './dashboard.ts';

/**
 * The one <style> element Swagger UI's bundle (@fastify/swagger-ui 5.2.6) writes at run
 * time, allowed by its hash (CSP Level 3 §8.3.4) rather than by 'unsafe-inline'. Another
 * version that writes another one shows a violation in test/dashboard/suites/notifications.ts,
 * whose message gives the new hash.
 */
const SWAGGER_UI_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";

/**
 * The documentation page's policy: the dashboard's (no inline script, no other origin, no
 * framing, no plugins), with that one style element besides. The plugin's own
 * `staticCSP: true` would allow any https style and font source and framing by this origin.
 */
export const DOCS_CSP = DASHBOARD_CSP.replace("style-src 'self'", `style-src 'self' ${SWAGGER_UI_STYLE}`);

/** Headers of the page's answers that the server computes again for its own. */
const RECOMPUTED = new Set(['content-length', 'transfer-encoding', 'connection', 'date', 'keep-alive']);

/**
 * The API's documentation page (Swagger UI) at /docs: its scripts and stylesheets are files
 * of this origin (the bundle, its initializer), its logo a data: image and its one call the
 * document at ./json, so it needs no inline script and no other origin.
 *
 * Swagger UI, its file server and its YAML writer (some 1.3 MB of heap) load with the first
 * request under /docs, not at start: an idle server shows no page (issue #19). They run in
 * a Fastify instance of their own, as the plugin registers routes and a server takes none
 * once it listens; each request under /docs is answered by that instance, with its headers,
 * and one it has no page for is this server's 404.
 */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  let pages: Promise<FastifyInstance> | undefined;
  const answer = async (req: FastifyRequest, reply: FastifyReply) => {
    // One that failed to load is tried again by the next request.
    pages ??= docsPages(app).catch((err: unknown) => {
      pages = undefined;
      throw err;
    });
    // A HEAD request is this server's GET route, whose body it leaves out itself.
    const res = await (await pages).inject({ method: 'GET', url: req.url, headers: req.headers });
    if (res.statusCode === 404) return reply.callNotFound();
    for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !RECOMPUTED.has(name)) reply.header(name, value);
    // An empty answer (a redirect) stays without a content type.
    return reply.code(res.statusCode).send(res.rawPayload.length > 0 ? res.rawPayload : undefined);
  };
  app.get('/docs', { schema: { hide: true } }, answer);
  app.get('/docs/*', { schema: { hide: true } }, answer);
}

/** Swagger UI on an instance of its own, showing `app`'s document. */
async function docsPages(app: FastifyInstance): Promise<FastifyInstance> {
  const [{ default: Fastify }, { default: swaggerUi }] = await Promise.all([import('fastify'), import('@fastify/swagger-ui')]);
  const pages = Fastify({ logger: false });
  // Swagger UI asks for @fastify/swagger by name; this stands for it, with the server's document.
  const document = async (instance: FastifyInstance) => {
    instance.decorate('swagger', ((opts?: { yaml?: boolean }) => app.swagger(opts as { yaml: true })) as FastifyInstance['swagger']);
  };
  Object.assign(document, { [Symbol.for('skip-override')]: true, [Symbol.for('plugin-meta')]: { name: '@fastify/swagger' } });
  await pages.register(document);
  await pages.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' }, staticCSP: DOCS_CSP });
  await pages.ready();
  return pages;
}
