import { Type, type Static } from '@sinclair/typebox';

/** Shared TypeBox schemas: one definition gives validation, TypeScript types and OpenAPI. */
const Url = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

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

// TypeBox compiles a Record's key schema to a catch-all pattern and drops its length
// limits, so the key rule is a pattern of its own: 1 to 64 characters.
const TagKey = Type.String({ pattern: '^[^\\u0000]{1,64}$' });
// The same rule again as `propertyNames`: the OpenAPI document keeps that keyword, while
// it turns the Record's patternProperties into additionalProperties and loses the key rule.
const Tags = Type.Record(TagKey, Type.String({ maxLength: 256 }), { maxProperties: 50, additionalProperties: false, propertyNames: TagKey });

export const SubscriptionBody = Type.Object(
  {
    channel: Type.String({ maxLength: 32, description: 'Delivery channel: webpush, apns or fcm' }),
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
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    userIdHash: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: "hex HMAC-SHA-256 of userId under the app's identity secret, made by your server; needed with the publishable key when the app verifies identities" })),
    tags: Type.Optional(Tags),
    language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$', maxLength: 35 })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
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
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    userId: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
// Optional to clients; the schema's default (100) fills it in before the handler runs.
export type ListQuery = Static<typeof ListQuery> & { limit: number };

export const SubscriptionPage = Type.Object({ data: Type.Array(Subscription), next: Type.Union([Type.String(), Type.Null()]) });

const Target = Type.Union([
  Type.Object({ subscriptionIds: Type.Array(Id, { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
  Type.Object({ userIds: Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
  Type.Object({ tags: Type.Record(TagKey, Type.String({ maxLength: 256 }), { minProperties: 1, maxProperties: 10, additionalProperties: false, propertyNames: TagKey }) }, { additionalProperties: false }),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
]);

export const NotificationBody = Type.Object(
  {
    to: Target,
    title: Type.String({ minLength: 1, maxLength: 1000 }),
    body: Type.Optional(Type.String({ maxLength: 4000 })),
    url: Type.Optional(Url('Opened on click (Declarative Web Push `navigate`)')),
    icon: Type.Optional(Url('Icon image URL')),
    image: Type.Optional(Url('Large image URL')),
    badge: Type.Optional(Url('Monochrome badge URL')),
    tag: Type.Optional(Type.String({ maxLength: 128, description: 'Replaces an earlier notification with the same tag on the device' })),
    lang: Type.Optional(Type.String({ maxLength: 35 })),
    dir: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('ltr'), Type.Literal('rtl')])),
    silent: Type.Optional(Type.Boolean()),
    requireInteraction: Type.Optional(Type.Boolean()),
    actions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            action: Type.String({ minLength: 1, maxLength: 64 }),
            title: Type.String({ minLength: 1, maxLength: 100 }),
            url: Type.Optional(Url('Opened when this action is chosen')),
            icon: Type.Optional(Url('Action icon URL')),
          },
          { additionalProperties: false },
        ),
        { maxItems: 4 },
      ),
    ),
    data: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Delivered to the service worker as notification.data' })),
    ttl: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_419_200, description: 's; RFC 8030 TTL (at most 4 weeks)' })),
    urgency: Type.Optional(Type.Union([Type.Literal('very-low'), Type.Literal('low'), Type.Literal('normal'), Type.Literal('high')])),
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: 'RFC 8030 Topic: replaces an undelivered message with the same topic' })),
    sendAt: Type.Optional(Type.String({ format: 'date-time' })),
    sound: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'apns, fcm: a sound in the app, or "default"' })),
    badgeCount: Type.Optional(Type.Integer({ minimum: 0, maximum: 99_999, description: 'apns, fcm: the number on the app icon (`badge` is the web badge image)' })),
    threadId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'apns: thread-id, groups notifications' })),
    interruptionLevel: Type.Optional(
      Type.Union([Type.Literal('passive'), Type.Literal('active'), Type.Literal('time-sensitive'), Type.Literal('critical')], {
        description: 'apns interruption-level, fcm notification_priority; critical is for civic alerts only',
      }),
    ),
    contentAvailable: Type.Optional(Type.Boolean({ description: 'apns, fcm: a silent data-only push (background / data message); browsers still show the title' })),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'apns: category (the actions the app registered); fcm: click_action' })),
    apns: Type.Optional(
      Type.Object(
        {
          subtitle: Type.Optional(Type.String({ maxLength: 1000 })),
          collapseId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x20-\\x7e]+$', description: 'apns-collapse-id (64 bytes at most); topic otherwise' })),
          priority: Type.Optional(Type.Union([Type.Literal(10), Type.Literal(5), Type.Literal(1)], { description: 'apns-priority; from urgency otherwise' })),
          aps: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'extra aps keys (relevance-score, target-content-id, ...)' })),
        },
        { additionalProperties: false, description: 'APNs-only settings for what does not map' },
      ),
    ),
    fcm: Type.Optional(
      Type.Object(
        {
          collapseKey: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'android.collapse_key; topic otherwise' })),
          priority: Type.Optional(Type.Union([Type.Literal('HIGH'), Type.Literal('NORMAL')], { description: 'android.priority; from urgency otherwise' })),
          channelId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'android.notification.channel_id' })),
          android: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'merged into message.android' })),
          data: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'extra data entries' })),
        },
        { additionalProperties: false, description: 'FCM-only settings for what does not map' },
      ),
    ),
  },
  { additionalProperties: false },
);
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
