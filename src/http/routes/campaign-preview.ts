import type { FastifyInstance } from 'fastify';
import { getApp } from '../../apps/apps.ts';
import { previewContent } from '../../campaigns/content/preview.ts';
import type { Context } from '../../context.ts';
import { guard } from '../guards.ts';
import { guardedProblems } from '../openapi.ts';
import { AppParams } from '../schemas.ts';
import { Preview, PreviewBody } from './campaign-preview.schemas.ts';

/**
 * `POST /v1/apps/{appId}/campaigns/preview`: a campaign's content rendered as one real user
 * would get it, by the renderer the sends use (docs/campaigns.md#previews). Sessions need
 * the editor role (src/http/route-roles.ts, the campaigns family): it is part of composing.
 */
export function campaignPreviewRoutes(app: FastifyInstance, ctx: Context): void {
  app.post<{ Params: AppParams; Body: PreviewBody }>(
    '/v1/apps/:appId/campaigns/preview',
    {
      onRequest: guard(ctx, 'secret'),
      schema: {
        operationId: 'previewCampaign',
        tags: ['campaigns'],
        summary: 'Render a campaign’s content as a chosen or random user, without saving or sending anything',
        description:
          'Every language version rendered with the user’s data, and which version the user gets. A template that does not compile is refused as at save (422 `template_invalid` with `pointer`, `line`, `column`); a render that fails for this user is answered in its version, with its pointer.',
        params: AppParams,
        body: PreviewBody,
        response: { 200: Preview, ...guardedProblems('secret', { params: true, body: true }, 'app_not_found', 'user_not_found', 'template_invalid', 'invalid_content_language', 'invalid_filter', 'filter_too_complex', 'unknown_segment', 'segment_cycle') },
      },
    },
    async (req) => {
      await getApp(ctx, req.params.appId);
      return previewContent(ctx, req.params.appId, req.body);
    },
  );
}
