import { Type, type Static } from '@sinclair/typebox';
import { AudienceFilter, SegmentId } from '../message/target.ts';
import { CampaignContent } from './content/index.ts';
import { variantsSchema } from './policy/index.ts';
import { CampaignSchedule } from './timing/index.ts';
import { ConversionSpec } from '../analytics/conversion-spec.ts';

/** Who a campaign goes to: a segment or a filter, less the users of an excluded segment. */
export const CampaignAudience = Type.Object(
  {
    segment: Type.Optional(SegmentId),
    filter: Type.Optional(AudienceFilter),
    exclude: Type.Optional(Type.Object({ segment: SegmentId }, { additionalProperties: false, description: 'users of this segment are left out' })),
  },
  { additionalProperties: false, description: 'exactly one of segment or filter (docs/audience.md), and optionally a segment to leave out' },
);
export type CampaignAudience = Static<typeof CampaignAudience>;

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  audience: CampaignAudience,
  category: Type.Optional(
    Type.String({ minLength: 1, maxLength: 32, description: 'orders, promotions, security, civic or one of the app’s own: users who turned it off are not sent it, and caps scoped to it count it' }),
  ),
  content: CampaignContent,
  defaultLanguage: Type.Optional(Type.String({ maxLength: 35, description: 'the version for users whose language has none; may be left out with one version' })),
  strict: Type.Optional(Type.Boolean({ description: 'a recipient whose template misses a value is skipped (render_failed) instead of getting it blank' })),
  schedule: Type.Optional(CampaignSchedule),
  throttle: Type.Optional(Type.Object({ perMinute: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false, description: 'sends a minute at most, across all workers' })),
  variants: Type.Optional(variantsSchema(CampaignContent)),
  capping: Type.Optional(Type.Object({ ignore: Type.Boolean({ description: 'true: the app’s frequency caps do not hold this campaign back (its sends still count towards them)' }) }, { additionalProperties: false })),
  ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_419_200, description: 's; RFC 8030 TTL (at most 4 weeks)' })),
  urgency: Type.Optional(Type.Union([Type.Literal('very-low'), Type.Literal('low'), Type.Literal('normal'), Type.Literal('high')])),
  /** docs/analytics.md#conversions */
  conversion: Type.Optional(ConversionSpec),
};

/** `POST /v1/apps/{appId}/campaigns`: a campaign as it is asked for (docs/campaigns.md). */
export const CampaignInput = Type.Object(fields, { additionalProperties: false });
export type CampaignInput = Static<typeof CampaignInput>;

/** `PATCH`: any member, while the campaign is a draft or scheduled; `null` removes an optional one. */
export const CampaignPatch = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });
export type CampaignPatch = Static<typeof CampaignPatch>;
