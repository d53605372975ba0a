import type { FastifyInstance } from 'fastify';

/**
 * The methods each registered path answers, for 405 Method Not Allowed with its `Allow`
 * header (RFC 9110 §15.5.6): a known path asked with a method it lacks is not a 404.
 * Call before routes are registered; the answer is read from the route table as it grows.
 */
export function trackAllowedMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ pattern: patternOf(route.url ?? route.path), methods: methods.map((m) => m.toUpperCase()) });
  });
  return (path) => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
}

// find-my-way syntax: `:name` is one segment, `*` the rest of the path.
function patternOf(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
