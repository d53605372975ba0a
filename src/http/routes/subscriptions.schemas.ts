import { Type, type Static } from '@sinclair/typebox';
import { SubscriptionInput } from '../../subscriptions/subscription-input.ts';

/** Schemas of the subscription routes (subscriptions.ts). */

/** A subscription request: the feature's own input schema (src/subscriptions/subscription-input.ts). */
export const SubscriptionBody = SubscriptionInput;
export type SubscriptionBody = Static<typeof SubscriptionBody>;

export const Subscription = Type.Object({
  id: Type.String(),
  channel: Type.String(),
  endpoint: Type.Optional(Type.String({ description: 'webpush' })),
  token: Type.Optional(Type.String({ description: 'apns, fcm' })),
  environment: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'apns' })),
  topic: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'apns: bundle id' })),
  userId: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Record(Type.String(), Type.String()),
  language: Type.Union([Type.String(), Type.Null()]),
  timezone: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    userId: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
// Optional to clients; the schema's default (100) fills it in before the handler runs.
export type ListQuery = Static<typeof ListQuery> & { limit: number };

export const SubscriptionPage = Type.Object({ data: Type.Array(Subscription), next: Type.Union([Type.String(), Type.Null()]) });
