import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../../errors/catalogue.ts';
import { PUBLIC } from '../openapi.ts';
import { ErrorCatalogue } from '../operations-schemas.ts';

/**
 * The error catalogue as JSON at the URI that problem `type` members point to
 * (`/docs/errors#<code>`); docs/errors.md explains each code in prose.
 */
export function errorRoutes(app: FastifyInstance): void {
  app.get('/docs/errors', { schema: { operationId: 'listErrorCodes', tags: ['operations'], summary: 'The error catalogue', ...PUBLIC, response: { 200: ErrorCatalogue } } }, async () => ({
    data: Object.entries(ERRORS).map(([code, spec]) => ({ code, status: spec.status, title: spec.title })),
  }));
}
