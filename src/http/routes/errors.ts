import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../errors/catalogue.ts';

/**
 * The error catalogue as JSON at the URI that problem `type` members point to
 * (`/docs/errors#<code>`); docs/errors.md explains each code in prose.
 */
export function errorRoutes(app: FastifyInstance): void {
  app.get('/docs/errors', { schema: { tags: ['operations'], summary: 'The error catalogue' } }, async () => ({
    data: Object.entries(ERRORS).map(([code, spec]) => ({ code, status: spec.status, title: spec.title })),
  }));
}
