import type { FastifyInstance } from 'fastify';
import swaggerUi from '@fastify/swagger-ui';
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

/**
 * The API's documentation page (Swagger UI) at /docs: its scripts and stylesheets are files
 * of this origin (the bundle, its initializer), its logo a data: image and its one call the
 * document at ./json, so it needs no inline script and no other origin.
 */
export async function docsRoutes(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' }, staticCSP: DOCS_CSP });
}
