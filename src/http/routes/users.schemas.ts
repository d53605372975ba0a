import { Type, type Static } from '@sinclair/typebox';
import { ExternalId, UserInput } from '../../audience/users/user-input.ts';
import { IMPORT_PAGE_SIZE } from '../../audience/users/import-users.ts';
import { Id } from '../../message/fields.ts';

/** Schemas of the user routes (users.ts). */

export const UserParams = Type.Object({ appId: Id, externalId: ExternalId });
export type UserParams = Static<typeof UserParams>;

/** Create or merge: the feature's own input schema (src/audience/users/user-input.ts). */
export const UserBody = UserInput;
export type UserBody = Static<typeof UserBody>;

const Time = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const User = Type.Object({
  externalId: Type.String(),
  attributes: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  language: Nullable(Type.String()),
  timezone: Nullable(Type.String()),
  country: Nullable(Type.String()),
  location: Type.Union([Type.Object({ lat: Type.Number(), lon: Type.Number() }), Type.Null()]),
  createdAt: Time,
  updatedAt: Time,
  lastSeenAt: Nullable(Time),
  sessionCount: Type.Integer(),
  subscriptions: Type.Integer({ description: 'How many subscriptions carry this user id' }),
});

export const UserListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
// Optional to clients; the schema's default (100) fills it in before the handler runs.
export type UserListQuery = Static<typeof UserListQuery> & { limit: number };

export const UserPage = Type.Object({ data: Type.Array(User), next: Type.Union([Type.String(), Type.Null()]) });

export const SessionBody = Type.Object(
  { userIdHash: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: 'Needed with the publishable key when the app verifies identities' })) },
  { additionalProperties: false },
);
export type SessionBody = Static<typeof SessionBody>;

/**
 * A page of users to import. Each item is checked on its own (a bad one is refused with
 * its index and the rest imported), so the page schema takes any object per item; each
 * must be `{externalId, attributes?, language?, timezone?, country?, location?}`.
 */
export const ImportBody = Type.Object(
  { users: Type.Array(Type.Object({}, { additionalProperties: true, description: 'A user: externalId and the fields of PUT /users/{externalId}' }), { minItems: 1, maxItems: IMPORT_PAGE_SIZE }) },
  { additionalProperties: false },
);
export type ImportBody = { users: unknown[] };

export const ImportResult = Type.Object({
  imported: Type.Integer(),
  refused: Type.Array(Type.Object({ index: Type.Integer(), code: Type.String(), pointer: Type.Optional(Type.String()), detail: Type.String() })),
});

const Json = Type.Record(Type.String(), Type.Unknown());
export const UserExport = Type.Object({
  user: User,
  subscriptions: Type.Array(Json, { description: 'Without the Web Push keys (p256dh, auth)' }),
  events: Type.Array(Type.Object({ name: Type.String(), at: Time, properties: Json, id: Nullable(Type.String()), receivedAt: Time })),
  preferences: Type.Array(Type.Object({ category: Type.String(), enabled: Type.Boolean(), updatedAt: Time })),
  deliveryFailures: Type.Array(
    Type.Object({ notificationId: Type.String(), subscriptionId: Type.String(), outcome: Type.String(), statusCode: Type.Union([Type.Integer(), Type.Null()]), reason: Type.String(), at: Time }),
  ),
  engagement: Type.Array(Type.Object({ type: Type.String(), notificationId: Nullable(Type.String()), subscriptionId: Nullable(Type.String()), action: Nullable(Type.String()), at: Time })),
  withheld: Type.Array(Type.String(), { description: 'What the export leaves out, and why' }),
});
