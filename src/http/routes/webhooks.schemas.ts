import { Type, type Static } from '@sinclair/typebox';
import { ReplayInput, RotateInput, WebhookInput, WebhookPatch } from '../../webhooks/webhook-input.ts';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/event-types.ts';

/** Schemas of the webhook endpoint routes (webhooks.ts); docs/webhooks.md explains them. */

export const WebhookBody = WebhookInput;
export type WebhookBody = Static<typeof WebhookBody>;
export const WebhookPatchBody = WebhookPatch;
export type WebhookPatchBody = Static<typeof WebhookPatchBody>;
export const RotateBody = RotateInput;
export type RotateBody = Static<typeof RotateBody>;
export const ReplayBody = ReplayInput;
export type ReplayBody = Static<typeof ReplayBody>;

const When = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

const WebhookFields = {
  id: Type.String({ description: 'wh_...' }),
  url: Type.String(),
  description: Type.String(),
  events: Type.Union([Type.Literal('all'), Type.Array(Type.Union(WEBHOOK_EVENT_TYPES.map((t) => Type.Literal(t))))]),
  enabled: Type.Boolean(),
  batchSize: Type.Integer(),
  disabledReason: Type.Union([Type.Literal('gone'), Type.Literal('failing'), Type.Null()], { description: 'Why Carillon disabled it: gone (it answered 410), failing (it failed for longer than webhookDisableAfter); null otherwise' }),
  disabledAt: When,
  failingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the current run of failed attempts began; null while it succeeds' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
};
export const Webhook = Type.Object(WebhookFields);
export const WebhookWithSecret = Type.Object({ ...WebhookFields, secret: Type.String({ description: 'whsec_...: shown this once; verify signatures with it (docs/webhooks.md#verifying)' }) });

export const WebhookListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type WebhookListQuery = Static<typeof WebhookListQuery> & { limit: number };
export const WebhookPage = Type.Object({ data: Type.Array(Webhook), next: Type.Union([Type.String(), Type.Null()]) });

export const RotatedSecret = Type.Object({
  secret: Type.String({ description: 'The new whsec_... secret, shown this once' }),
  previousSecretExpiresAt: Type.String({ format: 'date-time', description: 'Until then the old secret signs too: webhook-signature carries both' }),
});

const Status = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]);
export const MessageListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);
export type MessageListQuery = Static<typeof MessageListQuery> & { limit: number };

export const WebhookAttempt = Type.Object({
  attempt: Type.Integer({ minimum: 1, description: '1, 2, ...: counted across replays' }),
  replay: Type.Integer({ minimum: 0, description: 'The replay it belongs to; 0 for the first round' }),
  at: Type.String({ format: 'date-time' }),
  status: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status; null when no answer came (error says why)' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'HTTP 503, timeout: ..., network: ..., private_address: ...; null on a 2xx' }),
  durationMs: Type.Integer(),
  response: Type.Union([Type.String(), Type.Null()], { description: 'The start of the answer’s body, at most 512 bytes of UTF-8; null when none came or it was empty' }),
  nextAttemptAt: When,
  answer: Type.Optional(
    Type.Object(
      {
        outcome: Type.Union([Type.Literal('answered'), Type.Literal('invalid'), Type.Literal('ignored'), Type.Literal('duplicate'), Type.Literal('closed'), Type.Literal('held'), Type.Literal('failed')]),
        seq: Type.Optional(Type.Integer({ minimum: 1, description: 'answered: the answer’s seq in the thread; duplicate: the seq of the answer that was taken' })),
        reason: Type.Optional(Type.String({ description: 'Why the body was not taken as the answer' })),
      },
      { description: 'conversation.message only, when the 2xx answer had a body: what became of the answer in it (docs/webhooks.md#answering-in-the-response)' },
    ),
  ),
});

export const WebhookMessage = Type.Object({
  id: Type.String({ description: 'msg_...: the webhook-id header' }),
  type: Type.String({ description: 'The event type, or batch' }),
  events: Type.Integer(),
  status: Status,
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: 'HTTP status of the last attempt; null when no answer came or none was made' }),
  lastDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastAttemptAt: When,
  nextAttemptAt: When,
  deliveredAt: When,
  eventAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  attemptLog: Type.Array(WebhookAttempt, { description: 'Every attempt made, oldest first, across replays; kept as long as the message' }),
});
export const MessagePage = Type.Object({ data: Type.Array(WebhookMessage), next: Type.Union([Type.String(), Type.Null()]) });
export const Replayed = Type.Object({ replayed: Type.Integer({ description: 'Messages queued to be sent again now' }) });
