import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { createCampaign, deleteCampaign, findCampaign, getCampaign, listCampaigns, updateCampaign, campaignView } from '../../campaigns/campaigns.ts';
import { campaignListFigures } from '../../campaigns/list-figures.ts';
import { cancelCampaign, launchCampaign, pauseCampaign, resumeCampaign } from '../../campaigns/lifecycle.ts';
import { listRecipients } from '../../campaigns/recipients.ts';
import { CampaignSettings, CampaignSettingsPatch, getCampaignSettings, updateCampaignSettings } from '../../campaigns/app-settings.ts';
import { sendTest } from '../../campaigns/test-send.ts';
import type { Context } from '../../context.ts';
import type { ErrorCode } from '../../errors/catalogue.ts';
import { guard } from '../guards.ts';
import { AppItemParams, AppParams } from '../schemas.ts';
import { NO_CONTENT, guardedProblems } from '../openapi.ts';
import { Campaign, CampaignBody, CampaignListQuery, CampaignPage, CampaignPatchBody, CampaignWithCounts, RecipientPage, RecipientsQuery, TestBody, TestSent } from './campaigns.schemas.ts';

/** What checking a campaign may refuse (campaign-definition.ts), each with a pointer into the body. */
const CHECK_CODES: ErrorCode[] = ['invalid_filter', 'filter_too_complex', 'unknown_segment', 'segment_cycle', 'unknown_category', 'template_invalid', 'invalid_content_language', 'invalid_variants', 'invalid_schedule', 'invalid_conversion'];
const DOC = 'Campaigns, their schedules, content, caps and variants: docs/campaigns.md. A refused member answers problem+json with `pointer` into the body (`#/content/fr/title`, with `line` and `column` for a template).';

export function campaignRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Params: AppParams; Body: CampaignBody }>(
    '/v1/apps/:appId/campaigns',
    {
      onRequest: guard(ctx, 'secret'),
      schema: { operationId: 'createCampaign', tags: ['campaigns'], summary: 'Save a campaign as a draft', description: DOC, params: AppParams, body: CampaignBody, response: { 201: Campaign, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', ...CHECK_CODES) } },
    },
    async (req, reply) => {
      await getApp(ctx, req.params.appId);
      const campaign = await createCampaign(ctx, req.params.appId, req.body);
      return reply.status(201).header('location', `/v1/apps/${req.params.appId}/campaigns/${campaign.id}`).send(campaign);
    },
  );
  app.get<{ Params: AppParams; Querystring: CampaignListQuery }>(
    '/v1/apps/:appId/campaigns',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'listCampaigns', tags: ['campaigns'], summary: 'List campaigns, newest first, by cursor, each with its key figures', params: AppParams, querystring: CampaignListQuery, response: { 200: CampaignPage, ...guardedProblems('secret', { params: true }, 'invalid_cursor') } } },
    async (req) => {
      const page = await listCampaigns(ctx, req.params.appId, req.query);
      const figures = await campaignListFigures(ctx, page.data.map((c) => c.id));
      return { data: page.data.map((c) => ({ ...c, counts: figures.get(c.id)! })), next: page.next };
    },
  );
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/campaigns/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getCampaign', tags: ['campaigns'], summary: 'One campaign, with its counts by reason and by variant', params: AppItemParams, response: { 200: CampaignWithCounts, ...guardedProblems('secret', { params: true }, 'campaign_not_found') } } },
    async (req) => getCampaign(ctx, req.params.appId, req.params.id),
  );
  app.patch<{ Params: AppItemParams; Body: CampaignPatchBody }>(
    '/v1/apps/:appId/campaigns/:id',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'updateCampaign',
        tags: ['campaigns'],
        summary: 'Change a draft',
        description: `The members given replace the saved ones; \`null\` removes an optional one. The result is checked as a whole. ${DOC}`,
        params: AppItemParams,
        body: CampaignPatchBody,
        response: { 200: Campaign, ...guardedProblems('secret', { params: true, body: true }, 'campaign_not_found', 'campaign_not_editable', ...CHECK_CODES) },
      },
    },
    async (req) => updateCampaign(ctx, req.params.appId, req.params.id, req.body),
  );
  app.delete<{ Params: AppItemParams }>(
    '/v1/apps/:appId/campaigns/:id',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'deleteCampaign', tags: ['campaigns'], summary: 'Delete a draft', params: AppItemParams, response: { ...NO_CONTENT, ...guardedProblems('secret', { params: true }, 'campaign_not_found', 'campaign_not_editable') } } },
    async (req, reply) => {
      await deleteCampaign(ctx, req.params.appId, req.params.id);
      return reply.status(204).send();
    },
  );

  const actions = [
    { verb: 'launch', run: launchCampaign, summary: 'Launch a draft: plan its waves now (a recurring one: its first run)', codes: ['campaign_status', 'campaign_option_unavailable', 'invalid_schedule', 'unknown_segment', 'segment_cycle', 'invalid_filter', 'filter_too_complex', 'invalid_quiet_hours'] as ErrorCode[] },
    { verb: 'pause', run: pauseCampaign, summary: 'Hold the waves not yet begun', codes: ['campaign_status'] as ErrorCode[] },
    { verb: 'resume', run: resumeCampaign, summary: 'Go on with a paused campaign', codes: ['campaign_status'] as ErrorCode[] },
    { verb: 'cancel', run: cancelCampaign, summary: 'Stop for good: the waves not yet begun are cancelled', codes: ['campaign_status'] as ErrorCode[] },
  ];
  for (const a of actions) {
    app.post<{ Params: AppItemParams }>(
      `/v1/apps/:appId/campaigns/:id/${a.verb}`,
      {
        onRequest: guard(ctx, 'secret'),
        schema: { operationId: `${a.verb}Campaign`, tags: ['campaigns'], summary: a.summary, params: AppItemParams, response: { 200: Campaign, ...guardedProblems('secret', { params: true }, 'campaign_not_found', ...a.codes) } },
      },
      async (req) => campaignView(await a.run(ctx, await findCampaign(ctx.store.db, req.params.appId, req.params.id))),
    );
  }

  app.post<{ Params: AppItemParams; Body: TestBody }>(
    '/v1/apps/:appId/campaigns/:id/test',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'testCampaign',
        tags: ['campaigns'],
        summary: 'Send the rendered campaign to one user’s devices now, as a test',
        description: 'Outside caps (it neither obeys nor counts against them), never in the holdout, not in the campaign’s figures; whatever the campaign’s status.',
        params: AppItemParams,
        body: TestBody,
        response: { 202: TestSent, ...guardedProblems('secret', { params: true, body: true }, 'campaign_not_found', 'user_not_found') },
      },
    },
    async (req, reply) => reply.status(202).send(await sendTest(ctx, req.params.appId, req.params.id, req.body)),
  );
  app.get<{ Params: AppItemParams; Querystring: RecipientsQuery }>(
    '/v1/apps/:appId/campaigns/:id/recipients',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'listCampaignRecipients',
        tags: ['campaigns'],
        summary: 'Who the campaign matched and what became of each (sent, or why not), by cursor',
        params: AppItemParams,
        querystring: RecipientsQuery,
        response: { 200: RecipientPage, ...guardedProblems('secret', { params: true }, 'campaign_not_found', 'invalid_cursor') },
      },
    },
    async (req) => listRecipients(ctx, req.params.appId, req.params.id, req.query),
  );
}

export function campaignSettingsRoutes(app: FastifyInstance, ctx: Context): void {
  app.get<{ Params: AppParams }>(
    '/v1/apps/:appId/campaign-settings',
    { onRequest: guard(ctx, 'secret'), schema: { operationId: 'getCampaignSettings', tags: ['campaigns'], summary: 'The app’s campaign defaults: zone, quiet hours, frequency caps, template globals', params: AppParams, response: { 200: CampaignSettings, ...guardedProblems('secret', { params: true }, 'app_not_found') } } },
    async (req) => getCampaignSettings(ctx, req.params.appId),
  );
  app.patch<{ Params: AppParams; Body: CampaignSettingsPatch }>(
    '/v1/apps/:appId/campaign-settings',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'updateCampaignSettings',
        tags: ['campaigns'],
        summary: 'Change the app’s campaign defaults',
        description: 'Members given replace the saved ones; `null` clears one. Every member is checked before any is written. Applies to waves planned and batches sent from now on.',
        params: AppParams,
        body: CampaignSettingsPatch,
        response: { 200: CampaignSettings, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'invalid_timezone', 'invalid_quiet_hours', 'invalid_cap_rules', 'unknown_category') },
      },
    },
    async (req) => updateCampaignSettings(ctx, req.params.appId, req.body),
  );
}
