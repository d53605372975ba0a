import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build:dashboard` (run by `npm install`) writes the dashboard. */
export const DASHBOARD_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../dashboard/dist');

/**
 * The index's policy (CSP Level 3): scripts, styles, fonts and API calls from this origin
 * only, no inline script or style element, no plugins, no framing (clickjacking), no
 * <base> and forms posting only here. Images may be data: URIs (the QR code, icons).
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Carillon: the dashboard is not built</title></head>
<body><h1>The dashboard is not built</h1>
<p>This server has no <code>dashboard/dist</code>. Build it with <code>npm run build:dashboard</code>
(<code>npm install</code> does it), then restart Carillon. The API works without it.</p></body></html>
`;

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', DASHBOARD_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/**
 * The operator dashboard at /dashboard/: a single-page app built by Vite into `dist`.
 * Its assets have content hashes in their names, so they are cached for a year
 * (`immutable`, RFC 8246); the index is revalidated at every load (`no-cache`), so an
 * upgrade reaches browsers at once. Any other path under /dashboard/ is a page of the app
 * (its own router), answered with the index. The files are read once, at start.
 */
export function dashboardRoutes(app: FastifyInstance, opts: { dir?: string } = {}): void {
  const dir = opts.dir ?? DASHBOARD_DIST;
  const indexPath = path.join(dir, 'index.html');
  const built = existsSync(indexPath);
  const index = built ? readFileSync(indexPath) : undefined;
  const assets = new Map<string, Buffer>();
  const assetDir = path.join(dir, 'assets');
  if (built && existsSync(assetDir)) {
    for (const name of readdirSync(assetDir)) assets.set(name, readFileSync(path.join(assetDir, name)));
  }
  const hidden = { schema: { hide: true } };

  const page = async (_req: unknown, reply: FastifyReply) => {
    void securityHeaders(reply).header('cache-control', 'no-cache');
    if (!index) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').send(index);
  };
  app.get('/dashboard', hidden, async (_req, reply) => reply.redirect('/dashboard/', 301));
  app.get('/dashboard/', hidden, page);
  app.get<{ Params: { name: string } }>('/dashboard/assets/:name', hidden, async (req, reply) => {
    const body = assets.get(req.params.name);
    if (!body) return reply.status(404).type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send('No such dashboard asset\n');
    const type = TYPES[path.extname(req.params.name)] ?? 'application/octet-stream';
    return reply.type(type).header('x-content-type-options', 'nosniff').header('cache-control', 'public, max-age=31536000, immutable').send(body);
  });
  app.get('/dashboard/*', hidden, page);
}
