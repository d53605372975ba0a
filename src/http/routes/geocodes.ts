import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { deleteGeocodeTable, getGeocodeTable, listGeocodeTables, putGeocodeTable } from '../../alerts/geocode-tables.ts';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { GEOCODE_TABLE_MAX_BYTES, GeocodeTable, GeocodeTableBody, GeocodeTableList, GeocodeTableParams, GeocodeTableQuery } from './geocodes.schemas.ts';

const DOC = 'Code → polygon tables for the geocodes the app’s authorities use, so an alert that names a code reaches the users located in it as well as those who chose it. See docs/civic-alerts.md#geocode-tables.';

export function geocodeRoutes(app: FastifyInstance, ctx: Context): void {
  app.put<{ Params: GeocodeTableParams; Querystring: GeocodeTableQuery; Body: unknown }>(
    '/v1/apps/:appId/geocode-tables/:valueName',
    {
      onRequest: guard(ctx, 'secret'),
      bodyLimit: GEOCODE_TABLE_MAX_BYTES,
      schema: { operationId: 'putGeocodeTable', tags: ['alerts'], summary: 'Upload (replace) the app’s table of one geocode scheme, as GeoJSON', description: `${DOC} At most 20 MB, 20,000 features and 2,000,000 positions.`, params: GeocodeTableParams, querystring: GeocodeTableQuery, body: GeocodeTableBody, response: { 200: GeocodeTable, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'invalid_geocode_table') } },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return putGeocodeTable(ctx, req.params.appId, req.params.valueName, req.query.codeProperty, req.body, Number(req.headers['content-length'] ?? 0) || 0);
    },
  );
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/geocode-tables',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listGeocodeTables', tags: ['alerts'], summary: 'The app’s geocode tables', description: DOC, params: AppParams, response: { 200: GeocodeTableList, ...guardedProblems('secret', { params: true }) } } },
    async (req) => listGeocodeTables(ctx, req.params.appId),
  );
  app.get<{ Params: GeocodeTableParams }>(
    '/v1/apps/:appId/geocode-tables/:valueName',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getGeocodeTable', tags: ['alerts'], summary: 'One geocode table: its property, codes and size', params: GeocodeTableParams, response: { 200: GeocodeTable, ...guardedProblems('secret', { params: true }, 'geocode_table_not_found') } } },
    async (req) => getGeocodeTable(ctx, req.params.appId, req.params.valueName),
  );
  app.delete<{ Params: GeocodeTableParams }>(
    '/v1/apps/:appId/geocode-tables/:valueName',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'deleteGeocodeTable', tags: ['alerts'], summary: 'Delete a geocode table (its codes still match users who chose them)', params: GeocodeTableParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'geocode_table_not_found') } } },
    async (req, reply) => {
      await deleteGeocodeTable(ctx, req.params.appId, req.params.valueName);
      return reply.status(204).send();
    },
  );
}
