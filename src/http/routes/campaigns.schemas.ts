import { Type, type Static } from '@sinclair/typebox';
import { CampaignInput, CampaignPatch } from '../../campaigns/campaign-input.ts';
import { SEND_REASONS, type CampaignStatus } from '../../store/schema.ts';

/** Schemas of the campaign routes (campaigns.ts). */

export const CampaignBody = CampaignInput;
export type CampaignBody = Static<typeof CampaignBody>;

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
/** Members given replace the saved ones; `null` removes an optional member. */
export const CampaignPatchBody = Type.Object(
  Object.fromEntries(Object.entries(CampaignPatch.properties).map(([k, v]) => [k, Type.Optional(['name', 'audience', 'content'].includes(k) ? v : nullable(v))])),
  { additionalProperties: false, minProperties: 1 },
);
export type CampaignPatchBody = Static<typeof CampaignPatch> & Record<string, unknown>;

const Status = Type.Union(['draft', 'planning', 'scheduled', 'running', 'paused', 'completed', 'cancelled'].map((s) => Type.Literal(s)));
const Reason = Type.Union(SEND_REASONS.map((r) => Type.Literal(r)));

const CampaignFields = {
  ...CampaignInput.properties,
  id: Type.String({ description: 'cmp_...' }),
  status: Status,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  launchedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  runs: Type.Integer({ description: 'runs so far: 1 once launched; a recurring campaign adds one a run' }),
  nextRunAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'a recurring campaign’s next run' }),
  decision: Type.Union(
    [
      Type.Object({
        decision: Type.Union([Type.Literal('winner'), Type.Literal('send_best'), Type.Literal('stop')]),
        variant: Type.Union([Type.String(), Type.Null()], { description: 'what the rest of the audience is sent; null on stop' }),
        reason: Type.String({ description: 'significant, not_significant, too_few or best_tied' }),
        statistic: Type.Union([Type.Number(), Type.Null()]),
        df: Type.Union([Type.Integer(), Type.Null()]),
        pValue: Type.Union([Type.Number(), Type.Null()]),
        alpha: Type.Number(),
        rates: Type.Array(Type.Object({ id: Type.String(), rate: Type.Number() })),
        detail: Type.String(),
        decidedAt: Type.String({ format: 'date-time' }),
      }),
      Type.Null(),
    ],
    { description: 'winner mode: the A/B test’s decision (Pearson’s chi-squared over the test group’s clicks), once made' },
  ),
};
export const Campaign = Type.Object(CampaignFields);

const VariantCounts = Type.Object({
  id: Type.Union([Type.String(), Type.Null()], { description: 'null: the campaign’s own content (no variants)' }),
  sent: Type.Integer(),
  displayed: Type.Integer(),
  clicked: Type.Integer(),
  clickRate: Type.Union([Type.Number(), Type.Null()], { description: 'clicked / sent' }),
});
const Planning = Type.Union(
  [
    Type.Object({
      phase: Type.Union([Type.Literal('launch'), Type.Literal('winner')], { description: 'launch: the audience at launch; winner: winner mode’s rest, after the decision' }),
      planned: Type.Integer({ description: 'users of the audience planned so far' }),
      total: Type.Union([Type.Integer(), Type.Null()], { description: 'users the audience had when planning began; null until counted' }),
      startedAt: Type.String({ format: 'date-time' }),
      finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    Type.Null(),
  ],
  { description: 'an intelligent campaign’s latest plan of each user’s best hour (status `planning` until it is done); null for other schedules' },
);
export const CampaignWithCounts = Type.Object({
  ...CampaignFields,
  planning: Planning,
  counts: Type.Object({
    waves: Type.Integer({ description: 'notifications the campaign went out as: one per send instant per run' }),
    recipients: Type.Object(Object.fromEntries(SEND_REASONS.map((r) => [r, Type.Integer()])), { description: 'matched recipients (subscriptions) by what became of them: sent, or why not' }),
    heldByQuietHours: Type.Integer({ description: 'of those sent, how many quiet hours held to the end of the window' }),
    throttled: Type.Integer({ description: 'a throttled campaign: recipients cut into batches and held back for their turn, not yet sent (0 without a throttle)' }),
    delivered: Type.Integer(),
    failed: Type.Integer({ description: 'failed, expired or pruned after sending' }),
    displayed: Type.Integer(),
    clicked: Type.Integer(),
    variants: Type.Array(VariantCounts),
  }),
});

export const CampaignListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);
export type CampaignListQuery = Omit<Static<typeof CampaignListQuery>, 'status'> & { limit: number; status?: CampaignStatus };
/** A campaign in a list: with its key figures, counted as its own GET counts them, so a list needs no call per campaign. */
export const CampaignListed = Type.Object({
  ...CampaignFields,
  counts: Type.Object(
    {
      sent: Type.Integer({ description: 'Recipients sent to: `counts.recipients.sent` of GET .../campaigns/{id}' }),
      delivered: Type.Integer(),
      failed: Type.Integer({ description: 'Failed, expired or pruned' }),
      displayed: Type.Integer(),
      clicked: Type.Integer(),
    },
    { description: 'Over every run, test sends left out' },
  ),
});
export const CampaignPage = Type.Object({ data: Type.Array(CampaignListed), next: Type.Union([Type.String(), Type.Null()]) });

export const TestBody = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 256, description: 'the user whose devices get the test' }),
    variant: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'the variant to send; the user’s own otherwise' })),
  },
  { additionalProperties: false },
);
export type TestBody = Static<typeof TestBody>;
export const TestSent = Type.Object({ notificationId: Type.String(), subscriptions: Type.Integer() });

export const RecipientsQuery = Type.Object(
  {
    reason: Type.Optional(Reason),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type RecipientsQuery = Static<typeof RecipientsQuery> & { limit: number };
export const RecipientPage = Type.Object({
  data: Type.Array(
    Type.Object({
      notificationId: Type.String(),
      userId: Type.Union([Type.String(), Type.Null()]),
      subscriptionId: Type.Union([Type.String(), Type.Null()]),
      reason: Reason,
      detail: Type.Union([Type.String(), Type.Null()]),
      variant: Type.Union([Type.String(), Type.Null()]),
      at: Type.String({ format: 'date-time' }),
      timing: Type.Unknown({ description: 'why it went when it did: zone, local time, quiet hours (docs/campaigns-timing.md)' }),
    }),
  ),
  next: Type.Union([Type.String(), Type.Null()]),
});
