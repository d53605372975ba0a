import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Cross-origin access for the routes a web page calls with the publishable key: the SDK
 * runs on the site's origin, Carillon on another. Any origin is allowed because the key
 * travels as a bearer token, never as a cookie (so `*` exposes nothing a page could not
 * already send). Secret-key routes get no CORS headers: a browser must not call them.
 */
const ALLOWED_HEADERS = 'authorization, content-type';
// Chromium caps a cached preflight at 2 hours; asking for more changes nothing.
const PREFLIGHT_MAX_AGE = 7200;

/** Route-level `onSend` hook: the answer (success or problem) is readable by any page. */
export async function allowBrowsers(_req: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  void reply.header('access-control-allow-origin', '*');
  void reply.header('access-control-expose-headers', 'location, retry-after');
  return payload;
}

/**
 * Answers the browser's preflight (OPTIONS) for `url`, admitting only `methods`: a page may
 * POST a subscription but never list them, though both share one path.
 */
export function browserPreflight(app: FastifyInstance, url: string, methods: string[]): void {
  app.options(url, { schema: { hide: true } }, async (_req, reply) =>
    reply
      .status(204)
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', methods.join(', '))
      .header('access-control-allow-headers', ALLOWED_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
      .send(),
  );
}
