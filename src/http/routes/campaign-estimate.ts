import type { FastifyInstance } from 'fastify';
import { estimateCampaign } from '../../campaigns/estimate.ts';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppItemParams } from '../schemas.ts';
import { CampaignEstimate } from './campaign-estimate.schemas.ts';

/**
 * `GET /v1/apps/{appId}/campaigns/{id}/estimate`: who a draft would be sent to if launched
 * now, and who left out and why, decided by the launch's and the sends' own code; nothing is
 * stored, queued or sent (docs/campaigns.md#estimates). A saved draft rather than a body:
 * the holdout and the variants are drawn from the campaign's id, so only a saved campaign
 * is estimated as its launch will go. Sessions need the editor role (route-roles.ts): it
 * walks the whole audience, and is part of composing.
 */
export function campaignEstimateRoutes(app: FastifyInstance, ctx: Context): void {
  app.get<{ Params: AppItemParams }>(
    '/v1/apps/:appId/campaigns/:id/estimate',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'estimateCampaign',
        tags: ['campaigns'],
        summary: 'Who a draft would be sent to if launched now, and how many are left out and why; nothing is sent or stored',
        description:
          'The audience as it is now, each user decided as the launch and the sends would decide them at the launch instant (the schedule’s `at`, or now): the category turned off, quiet hours, the holdout, frequency caps, the strict template rendered for the user. Refused as the launch would be: a schedule whose time has passed, a segment that is gone.',
        params: AppItemParams,
        response: { 200: CampaignEstimate, ...guardedProblems('secret', { params: true }, 'campaign_not_found', 'campaign_status', 'campaign_option_unavailable', 'invalid_schedule', 'unknown_segment', 'segment_cycle', 'invalid_filter', 'filter_too_complex', 'invalid_quiet_hours') },
      },
    },
    async (req) => estimateCampaign(ctx, req.params.appId, req.params.id),
  );
}
