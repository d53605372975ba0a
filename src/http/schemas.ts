import { Type, type Static } from '@sinclair/typebox';
import { Id, TagKey, Url } from '../message/fields.ts';
import { NotificationInput } from '../notifications/notification-input.ts';

/** Shared TypeBox schemas: one definition gives validation, TypeScript types and OpenAPI. */

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'Stable error code; see /docs/errors' }),
    instance: Type.Optional(Type.String()),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

export const AppParams = Type.Object({ appId: Id });
export const AppItemParams = Type.Object({ appId: Id, id: Id });

export const CreateAppBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    vapidSubject: Type.Optional(Type.String({ maxLength: 500, description: 'mailto: or https: contact sent to push services (RFC 8292 §2.1)' })),
    identityVerification: Type.Optional(Type.Boolean({ description: 'User ids set with the publishable key must come with their hash (default true)' })),
  },
  { additionalProperties: false },
);
export type CreateAppBody = Static<typeof CreateAppBody>;

const AppFields = {
  id: Type.String(),
  name: Type.String(),
  vapidPublicKey: Type.String({ description: 'applicationServerKey for PushManager.subscribe()' }),
  vapidSubject: Type.String(),
  identityVerification: Type.Boolean({ description: 'User ids set with the publishable key must come with their hash' }),
  createdAt: Type.String({ format: 'date-time' }),
};
export const App = Type.Object(AppFields);
export const CreatedApp = Type.Object({
  ...AppFields,
  secretKey: Type.String({ description: 'Server-side key; shown once' }),
  publishableKey: Type.String({ description: 'Browser-side key: subscriptions and events only' }),
  identitySecret: Type.String({ description: "Your server's key for user id hashes (HMAC-SHA-256); shown once" }),
});
export const UpdateAppBody = Type.Object(
  {
    identityVerification: Type.Optional(Type.Boolean({ description: 'User ids set with the publishable key must come with their hash' })),
  },
  { additionalProperties: false },
);
export type UpdateAppBody = Static<typeof UpdateAppBody>;
export const IdentitySecret = Type.Object({ identitySecret: Type.String({ description: 'Shown once; hashes made with the previous secret no longer verify' }) });


export const SubscriptionBody = Type.Object(
  {
    channel: Type.Optional(Type.String({ maxLength: 32, description: 'Delivery channel: webpush, apns or fcm; webpush when absent and the body has an endpoint and keys (PushSubscription.toJSON() as it is)' })),
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

/** A notification request: the message model (src/message/) with its audience and delivery options. */
export const NotificationBody = NotificationInput;
export type NotificationBody = Static<typeof NotificationBody>;

export const Accepted = Type.Object({ id: Type.String() });

export const NotificationStatus = Type.Object({
  id: Type.String(),
  status: Type.String({ description: 'scheduled, queued, sending, completed or cancelled' }),
  createdAt: Type.String(),
  sendAt: Type.String(),
  completedAt: Type.Union([Type.String(), Type.Null()]),
  ttl: Type.Integer(),
  urgency: Type.String(),
  topic: Type.Union([Type.String(), Type.Null()]),
  to: Type.Unknown(),
  content: Type.Unknown({ description: 'The message as accepted' }),
  counts: Type.Object({
    targeted: Type.Integer(),
    sent: Type.Integer(),
    delivered: Type.Integer({ description: 'The push service answered 201 (less those Carillon’s own push service reports the browser could not decrypt or deliver)' }),
    failed: Type.Integer({ description: 'Refused for good, gave up after retries, or not decrypted or delivered by the browser (Carillon’s own push service)' }),
    expired: Type.Integer(),
    pruned: Type.Integer({ description: 'Removed: the push service answered 404 or 410' }),
    pending: Type.Integer(),
    displayed: Type.Integer({ description: 'Recipients whose browser showed it (reported by the service worker)' }),
    clicked: Type.Integer({ description: 'Recipients who clicked it or one of its actions' }),
    dismissed: Type.Integer({ description: 'Recipients who closed it without clicking' }),
  }),
});

export const FailureList = Type.Object({
  data: Type.Array(
    Type.Object({
      subscriptionId: Type.String(),
      outcome: Type.String(),
      statusCode: Type.Union([Type.Integer(), Type.Null()]),
      reason: Type.String(),
      at: Type.String(),
    }),
  ),
});

export const CredentialKindParams = Type.Object({ appId: Id, kind: Type.Union([Type.Literal('apns'), Type.Literal('fcm')]) });

export const ApnsCredentialsBody = Type.Object(
  {
    keyId: Type.String({ minLength: 1, maxLength: 32, description: 'The 10-character key id of the token signing key' }),
    teamId: Type.String({ minLength: 1, maxLength: 32, description: 'The 10-character team id' }),
    key: Type.String({ minLength: 1, maxLength: 8192, description: 'The contents of AuthKey_<keyId>.p8 (PEM); stored sealed, never returned' }),
    topic: Type.String({ minLength: 1, maxLength: 255, description: 'The bundle id, sent as apns-topic when a device registered none' }),
  },
  { additionalProperties: false },
);
export type ApnsCredentialsBody = Static<typeof ApnsCredentialsBody>;

export const FcmCredentialsBody = Type.Object(
  {
    serviceAccount: Type.Record(Type.String(), Type.Unknown(), {
      description: 'The service account key JSON from Google Cloud, as downloaded; its private key is stored sealed, never returned',
    }),
  },
  { additionalProperties: false },
);
export type FcmCredentialsBody = Static<typeof FcmCredentialsBody>;

export const Credentials = Type.Object({
  kind: Type.String({ description: 'apns or fcm' }),
  keyId: Type.Optional(Type.String()),
  teamId: Type.Optional(Type.String()),
  topic: Type.Optional(Type.String()),
  projectId: Type.Optional(Type.String()),
  clientEmail: Type.Optional(Type.String()),
  privateKeyId: Type.Optional(Type.String()),
  tokenUri: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export const CredentialsList = Type.Object({ data: Type.Array(Credentials) });
