import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import type { Context } from '../../context.ts';
import type { ErrorCode } from '../../errors/catalogue.ts';
import { createJourney, deleteJourney, getJourney, listJourneys, listRuns, migrateRuns, moveJourney, updateJourney } from '../../journeys/index.ts';
import { guard } from '../guards.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { Journey, JourneyBody, JourneyList, JourneyListQuery, JourneyPatchBody, MigrateBody, MigrateResult, RunList, RunsQuery } from './journeys.schemas.ts';

/** What checking a journey may refuse (src/journeys/journey-definition.ts), each with a pointer into the body. */
const CHECK_CODES: ErrorCode[] = ['invalid_journey', 'invalid_filter', 'filter_too_complex', 'unknown_segment', 'segment_cycle', 'template_invalid', 'invalid_content_language', 'webhook_url_rejected'];
const DOC = 'Journeys: a trigger, steps (wait, waitFor, branch, split, send, update, webhook), exit, re-entry and a limit (docs/journeys.md). A refused member answers problem+json with `pointer` into the body (`#/steps/1/send/content/en/title`).';

/**
 * The secret that signs the app's journey webhook calls is answered to those who may read the
 * app's other signing secrets (route-roles.ts: webhooks are the owner's): the secret key, an
 * installation admin, an owner. An editor who saves a journey with a webhook step gets the
 * journey without it, and asks an owner for it.
 */
function forCaller<T extends { webhookSecret?: string }>(req: FastifyRequest<{ Params: AppParams }>, journey: T): T {
  const op = req.operator;
  if (!op || op.admin || op.memberships.some((m) => m.appId === req.params.appId && m.role === 'owner')) return journey;
  const { webhookSecret: _hidden, ...rest } = journey;
  return rest as T;
}

export function journeyRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Params: AppParams; Body: JourneyBody }>(
    '/v1/apps/:appId/journeys',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'createJourney', tags: ['journeys'], summary: 'Save a journey as a draft', description: DOC, params: AppParams, body: JourneyBody, response: { 201: Journey, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', ...CHECK_CODES) } },
    },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      const journey = forCaller(req, await createJourney(ctx, req.params.appId, req.body));
      return reply.status(201).header('location', `/v1/apps/${req.params.appId}/journeys/${journey.id}`).send(journey);
    },
  );
  app.get<{ Params: AppParams; Querystring: JourneyListQuery }>(
    '/v1/apps/:appId/journeys',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listJourneys', tags: ['journeys'], summary: 'List journeys, newest first, by cursor', params: AppParams, querystring: JourneyListQuery, response: { 200: JourneyList, ...guardedProblems('secret', { params: true }, 'invalid_cursor') } } },
    async (req) => listJourneys(ctx, req.params.appId, { limit: req.query.limit, ...(req.query.cursor !== undefined ? { cursor: req.query.cursor } : {}) }),
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/journeys/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getJourney', tags: ['journeys'], summary: 'One journey, its current version and its runs in flight', params: AppItemParams, response: { 200: Journey, ...guardedProblems('secret', { params: true }, 'journey_not_found') } } },
    async (req) => getJourney(ctx, req.params.appId, req.params.id),
  );
  app.patch<{ Params: AppItemParams; Body: JourneyPatchBody }>(
    '/v1/apps/:appId/journeys/:id',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'updateJourney',
        tags: ['journeys'],
        summary: 'Change a journey: a draft in place, an active or paused one as a new version',
        description: `The members given replace the saved ones; the result is checked as a whole. Runs in flight go on with the version they started on. ${DOC}`,
        params: AppItemParams,
        body: JourneyPatchBody,
        response: { 200: Journey, ...guardedProblems('secret', { params: true, body: true }, 'journey_not_found', 'journey_status', ...CHECK_CODES) },
      },
    },
    async (req) => forCaller(req, await updateJourney(ctx, req.params.appId, req.params.id, req.body)),
  );
  app.delete<{ Params: AppItemParams }>(
    '/v1/apps/:appId/journeys/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'deleteJourney', tags: ['journeys'], summary: 'Delete a draft or an archived journey, with its runs', params: AppItemParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'journey_not_found', 'journey_status') } } },
    async (req, reply) => {
      await deleteJourney(ctx, req.params.appId, req.params.id);
      return reply.status(204).send();
    },
  );
  const actions = [
    { verb: 'activate', summary: 'Start taking users in: the trigger starts runs' },
    { verb: 'pause', summary: 'Take no one new in; runs in flight go on' },
    { verb: 'archive', summary: 'Stop for good: runs in flight end and their timers come to nothing' },
  ] as const;
  for (const a of actions) {
    app.post<{ Params: AppItemParams }>(
      `/v1/apps/:appId/journeys/:id/${a.verb}`,
      { onRequest: guard(ctx, 'secret'), schema: { operationId: `${a.verb}Journey`, tags: ['journeys'], summary: a.summary, params: AppItemParams, response: { 200: Journey, ...guardedProblems('secret', { params: true }, 'journey_not_found', 'journey_status') } } },
      async (req) => moveJourney(ctx, req.params.appId, req.params.id, a.verb),
    );
  }
  app.post<{ Params: AppItemParams; Body: MigrateBody }>(
    '/v1/apps/:appId/journeys/:id/migrate',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'migrateJourneyRuns',
        tags: ['journeys'],
        summary: 'Move runs in flight on earlier versions to the current one',
        description:
          'A run moves when the current version has a step of the same kind at its position, or at the position `steps` maps it to; it keeps its due time and its trigger event, and its timeline records the move. The others stay on their version, counted by reason. `dryRun` answers the counts and moves nothing (docs/journeys.md#migrating-runs).',
        params: AppItemParams,
        body: MigrateBody,
        response: { 200: MigrateResult, ...guardedProblems('secret', { params: true, body: true }, 'journey_not_found', 'journey_status', 'journey_version_not_found', 'invalid_migration') },
      },
    },
    async (req) => migrateRuns(ctx, req.params.appId, req.params.id, req.body),
  );
  app.get<{ Params: AppItemParams; Querystring: RunsQuery }>(
    '/v1/apps/:appId/journeys/:id/runs',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listJourneyRuns', tags: ['journeys'], summary: 'The latest runs (100), optionally of one user, each with its position and timeline', params: AppItemParams, querystring: RunsQuery, response: { 200: RunList, ...guardedProblems('secret', { params: true }, 'journey_not_found') } } },
    async (req) => listRuns(ctx, req.params.appId, req.params.id, req.query.userId),
  );
}
