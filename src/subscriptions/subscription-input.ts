import { Type, type Static } from '@sinclair/typebox';
import { TagKey, Url } from '../message/fields.ts';

/**
 * A subscription request: `channel`, the channel's own fields (each channel reads its own,
 * src/providers/<channel>/channel.ts), and what every channel shares. Of the shared fields,
 * one that is absent is left as it is and `null` clears it (`tags: {}` clears the tags): a
 * browser registering again must not undo what the site's server set.
 */
export const SubscriptionInput = Type.Object(
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
    tags: Type.Optional(Type.Record(TagKey, Type.String({ maxLength: 256 }), { maxProperties: 50, additionalProperties: false, propertyNames: TagKey, description: 'Replace the tags ({} clears them); absent leaves them as they are' })),
    language: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 }), Type.Null()], { description: 'BCP 47; null clears it, absent leaves it' })),
    timezone: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], { description: 'IANA time zone; null clears it, absent leaves it' })),
  },
  {
    additionalProperties: false,
    description: 'Registering an address again changes only the fields the request carries: the channel’s address and keys, and of userId, tags, language and timezone those present',
  },
);
export type SubscriptionInput = Static<typeof SubscriptionInput>;
