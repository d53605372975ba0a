import { Type, type Static } from '@sinclair/typebox';

/**
 * Schemas of the journey routes (journeys.ts). The members are checked by the journeys'
 * own validator (src/journeys/journey-definition.ts), which answers `invalid_journey` (or
 * the filter's and the content's codes) with a pointer to the member at fault: a JSON
 * schema of the step tree would answer `invalid_request` at the first branch it could not
 * match instead.
 */
const members = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  trigger: Type.Unknown({ description: '{"event": "cart_updated", "where": F}, {"attributeChange": "plan"} or {"segmentEntry": "seg_..."} (a user starts matching the app\u2019s saved segment); F is an audience filter over the user and the event (`event.properties.total`). An event about an item adds `audience` (who did an event with the same property value lately) and `drop` (a threshold in percent): docs/journeys.md, the price drop' }),
  steps: Type.Array(Type.Unknown(), { minItems: 1, maxItems: 100, description: 'Steps in order, each one of wait, waitFor, branch, split, send (with an optional channels list: webpush, apns, fcm), update, webhook (docs/journeys.md#steps)' }),
  exit: Type.Optional(Type.Unknown({ description: '{"events": ["purchase"], "filter": F}: a run ends at once when one comes or F matches' })),
  reentry: Type.Optional(Type.Unknown({ description: '"never" (the default) or {"after": "1d"}: since the user\u2019s last run ended' })),
  limit: Type.Optional(Type.Unknown({ description: '{"max": 3, "per": "30d"}: runs started per user, rolling' })),
  sendRules: Type.Optional(Type.Unknown({ description: '{"quietHours": "hold" | "skip", "caps": "hold" | "skip"}; hold and skip by default' })),
};

export const JourneyBody = Type.Object(members, { additionalProperties: false });
export type JourneyBody = Static<typeof JourneyBody>;

export const JourneyPatchBody = Type.Partial(Type.Object(members, { additionalProperties: false }), { additionalProperties: false, minProperties: 1 });
export type JourneyPatchBody = Static<typeof JourneyPatchBody>;

const Status = Type.Union(['draft', 'active', 'paused', 'archived'].map((s) => Type.Literal(s)));

export const Journey = Type.Object({
  id: Type.String({ description: 'jrn_...' }),
  name: Type.String(),
  status: Status,
  version: Type.Integer({ description: 'The version new runs start on; runs in flight keep their own' }),
  definition: Type.Object({}, { additionalProperties: true, description: 'trigger, steps, exit, reentry, limit, sendRules as saved' }),
  runs: Type.Object({ active: Type.Integer(), ended: Type.Integer() }),
  webhookSecret: Type.Optional(Type.String({ description: 'whsec_...: the app\u2019s secret that signs its journeys\u2019 webhook calls (Standard Webhooks); in the answer to a save of a journey with a webhook step' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const JourneyList = Type.Object({ data: Type.Array(Journey), next: Type.Union([Type.String(), Type.Null()], { description: 'The cursor of the next page; null on the last' }) });
export const JourneyListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type JourneyListQuery = Static<typeof JourneyListQuery> & { limit: number };

export const RunsQuery = Type.Object({ userId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) }, { additionalProperties: false });
export type RunsQuery = Static<typeof RunsQuery>;

export const RunList = Type.Object({
  data: Type.Array(
    Type.Object({
      id: Type.String(),
      userId: Type.String(),
      version: Type.Integer(),
      state: Type.Union([Type.Literal('active'), Type.Literal('ended')]),
      step: Type.Union([Type.String({ description: 'JSON pointer into the version\u2019s definition' }), Type.Null()]),
      dueAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      waitingFor: Type.Union([Type.String(), Type.Null()]),
      startedAt: Type.String({ format: 'date-time' }),
      endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      endReason: Type.Union([Type.String(), Type.Null()]),
      timeline: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), step: Type.Union([Type.String(), Type.Null()]), what: Type.String(), detail: Type.Optional(Type.String()) })),
    }),
  ),
});

export const MigrateBody = Type.Object(
  {
    fromVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Move the runs of this version only; every version before the current one by default' })),
    steps: Type.Optional(
      Type.Record(Type.String({ minLength: 1, maxLength: 500 }), Type.String({ minLength: 1, maxLength: 500 }), {
        maxProperties: 100,
        description: 'Old position \u2192 new position, for steps that moved: {"/steps/1": "/steps/2"}. A run on a step not named here moves to the same position, when the current version has a step of the same kind there',
      }),
    ),
    dryRun: Type.Optional(Type.Boolean({ description: 'Answer the counts and move nothing' })),
  },
  { additionalProperties: false },
);
export type MigrateBody = Static<typeof MigrateBody>;

const count = Type.Integer({ minimum: 0 });
export const MigrateResult = Type.Object({
  journeyId: Type.String(),
  toVersion: Type.Integer({ description: 'The journey\u2019s current version, which the runs moved to' }),
  fromVersions: Type.Array(Type.Integer(), { description: 'The versions whose runs were looked at' }),
  dryRun: Type.Boolean(),
  moved: Type.Integer({ minimum: 0, description: 'Runs moved (or, with dryRun, that would move)' }),
  stayed: Type.Object(
    { step_missing: count, kind_changed: count, starting: count },
    { description: 'Runs that stay on their version, by reason: no step at their position (or the one mapped) in the current version, a step of another kind there, or a run entering its first step at that instant' },
  ),
});
