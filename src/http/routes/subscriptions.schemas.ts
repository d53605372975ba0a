import { Type, type Static } from '@sinclair/typebox';
import { TagKey, Url } from '../../message/fields.ts';

/** Schemas of the subscription routes (subscriptions.ts). */
export const SubscriptionBody = Type.Object(
  {
    channel: Type.Optional(Type.String({ maxLength: 32, description: 'Delivery channel: webpush, apns or fcm; webpush when absent and the body has an endpoint (PushSubscription.toJSON() as it is)' })),
    endpoint: Type.Optional(Url('webpush: the PushSubscription endpoint')),
    // Real tokens are 64 to a few hundred characters; 1024 keeps the unique index within
    // PostgreSQL's btree row limit.
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'apns: the device token as hex; fcm: the registration token' })),
    environment: Type.Optional(Type.Union([Type.Literal('production'), Type.Literal('sandbox')], { description: 'apns: sandbox for development builds (default production)' })),
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "apns: the app's bundle id (apns-topic); the credentials' topic when absent" })),
    keys: Type.Optional(
      Type.Object(
        {
          p256dh: Type.String({ minLength: 1, maxLength: 200, description: 'base64url P-256 public key (65 bytes)' }),
          auth: Type.String({ minLength: 1, maxLength: 100, description: 'base64url authentication secret (16 bytes)' }),
        },
        { additionalProperties: false, description: 'webpush: PushSubscription.toJSON().keys' },
      ),
    ),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()], { description: 'webpush: as PushSubscription.toJSON() gives it; ignored' })),
    userId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()], { description: 'The signed-in user; null clears it (sign-out), absent leaves it as it is' })),
    userIdHash: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: "hex HMAC-SHA-256 of userId under the app's identity secret, made by your server; needed with the publishable key when the app verifies identities" })),
    tags: Type.Optional(Type.Record(TagKey, Type.String({ maxLength: 256 }), { maxProperties: 50, additionalProperties: false, description: 'Replace the tags ({} clears them); absent leaves them as they are' })),
    language: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 }), Type.Null()], { description: 'BCP 47; null clears it, absent leaves it' })),
    timezone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], { description: 'IANA time zone; null clears it, absent leaves it' })),
  },
  {
    additionalProperties: false,
    description: 'Registering an address again changes only the fields the request carries: the channel’s address and keys, and of userId, tags, language and timezone those present',
  },
);
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
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    userId: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export const SubscriptionPage = Type.Object({ data: Type.Array(Subscription), next: Type.Union([Type.String(), Type.Null()]) });
