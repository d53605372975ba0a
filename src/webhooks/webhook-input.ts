import { Type, type Static } from '@sinclair/typebox';
import { WEBHOOK_EVENT_TYPES } from './event-types.ts';

/** What an app may set on a webhook endpoint (POST and PATCH /v1/apps/{appId}/webhooks). */

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'https URL Carillon POSTs events to; non-public addresses are refused, also when a name resolves to one at connect time' });
const Events = Type.Union([Type.Literal('all'), Type.Array(Type.Union(WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t))), { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true })], {
  description: 'The event types to send, or "all" (also those added in later versions)',
});
const Description = Type.String({ maxLength: 500 });
const BatchSize = Type.Integer({ minimum: 1, maximum: 1000, description: 'Events per request: 1 sends each alone; more groups up to that many into one `batch` message (docs/webhooks.md#batching)' });

export const WebhookInput = Type.Object(
  {
    url: Url,
    events: Type.Optional(Events),
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Description),
    batchSize: Type.Optional(BatchSize),
  },
  { additionalProperties: false },
);
export type WebhookInput = Static<typeof WebhookInput>;

export const WebhookPatch = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    enabled: Type.Optional(Type.Boolean({ description: 'true also clears a disabledReason: sending resumes where the endpoint stopped reading' })),
    description: Type.Optional(Description),
    batchSize: Type.Optional(BatchSize),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type WebhookPatch = Static<typeof WebhookPatch>;

export const RotateInput = Type.Object(
  { gracePeriod: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800, description: 's; how long the old secret still signs (default: the webhookSecretGrace setting, 24 h)' })) },
  { additionalProperties: false },
);
export type RotateInput = Static<typeof RotateInput>;

export const ReplayInput = Type.Object(
  {
    messageId: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Replays the messages whose (first) event happened in [from, to)' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type ReplayInput = Static<typeof ReplayInput>;
