import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import { journeyStats, listJourneyTemplates, simulateJourney } from '../../journeys/index.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { JourneyStats, JourneyTemplateList, SimulateBody, Simulation, StatsQuery } from './journeys-visibility.schemas.ts';

/** What a journey shows of itself: per-step counts, a simulation, and the recipes as templates (docs/journeys.md). */
export function journeyVisibilityRoutes(app: FastifyInstance, ctx: Context): void {
  app.get<{ Params: AppItemParams; Querystring: StatsQuery }>(
    '/v1/apps/:appId/journeys/:id/stats',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'getJourneyStats',
        tags: ['journeys'],
        summary: 'Per-step counts of a version: entered, waiting, sent, skipped, exited by reason; runs active, ended, converted',
        description: 'Exact, from the counts each move commits and the runs themselves (docs/journeys.md#stats).',
        params: AppItemParams,
        querystring: StatsQuery,
        response: { 200: JourneyStats, ...guardedProblems('secret', { params: true }, 'journey_not_found', 'journey_version_not_found') },
      },
    },
    async (req) => journeyStats(ctx, req.params.appId, req.params.id, req.query.version),
  );
  app.post<{ Params: AppItemParams; Body: SimulateBody }>(
    '/v1/apps/:appId/journeys/:id/simulate',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'simulateJourney',
        tags: ['journeys'],
        summary: 'Run a user (stored, or made up) through the journey on a virtual clock; nothing is sent, stored or queued',
        description: 'The timeline a run would have, with each send step’s content rendered for the user; events given happen at their offsets (docs/journeys.md#simulation). A refused member answers problem+json with `pointer` into the body (`#/events/0/at`).',
        params: AppItemParams,
        body: SimulateBody,
        response: { 200: Simulation, ...guardedProblems('secret', { params: true, body: true }, 'journey_not_found', 'journey_version_not_found', 'user_not_found', 'invalid_simulation') },
      },
    },
    async (req) => simulateJourney(ctx, req.params.appId, req.params.id, req.body),
  );
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/journey-templates',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'listJourneyTemplates', tags: ['journeys'], summary: 'The recipes as starting points: each a body createJourney accepts as is', params: AppParams, response: { 200: JourneyTemplateList, ...guardedProblems('secret', { params: true }, 'app_not_found') } },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return listJourneyTemplates();
    },
  );
}
