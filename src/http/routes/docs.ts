import type { FastifyInstance } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';
import { DASHBOARD_CSP } from './dashboard.ts';

/**
 * The API's documentation page (Swagger UI) at /docs, under the dashboard's policy: its
 * scripts and styles are files of this origin (the bundle, its initializer, its
 * stylesheets), its logo a data: image and its one call the document at ./json, so it
 * needs no inline script, no inline style element and no other origin. The plugin's own
 * `staticCSP: true` would allow any https style and font source and framing by this origin.
 */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' }, staticCSP: DASHBOARD_CSP });
}
