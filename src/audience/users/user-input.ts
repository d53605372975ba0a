import { Type, type Static } from '@sinclair/typebox';

/**
 * What a client may say about a user (PUT /v1/apps/{appId}/users/{externalId}, one row of
 * an import). Of each field, absent keeps what is stored and `null` removes it; the same
 * holds for each key of `attributes`. The schema says the shapes; the rules that need
 * more than a shape (attribute keys and sizes, BCP 47, IANA zones, ISO 3166) are checked
 * by validate-user.ts, which answers with a code of their own and a pointer.
 */
export const AttributeValue = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()], {
  description: 'string, number, boolean, or an RFC 3339 date-time string (stored as a time); null removes the attribute',
});

export const UserFields = {
  attributes: Type.Optional(Type.Record(Type.String(), AttributeValue, { description: 'Custom attributes to merge: absent keys are kept, null removes one' })),
  language: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description: 'BCP 47 tag (fr-CA), stored in its canonical form' })),
  timezone: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description: 'IANA time zone (Europe/Paris)' })),
  country: Type.Optional(Type.Union([Type.String({ maxLength: 8 }), Type.Null()], { description: 'ISO 3166-1 alpha-2 (FR), stored upper case' })),
  location: Type.Optional(
    Type.Union([
      Type.Object({ lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) }, { additionalProperties: false }),
      Type.Null(),
    ]),
  ),
};

export const UserInput = Type.Object(
  {
    ...UserFields,
    userIdHash: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{64}$', description: "hex HMAC-SHA-256 of the external id under the app's identity secret; needed with the publishable key when the app verifies identities" })),
  },
  { additionalProperties: false },
);
export type UserInput = Static<typeof UserInput>;

/** The external id: the site's own id for the user, as subscriptions' `userId` carries it. */
// No control characters: NUL cannot be stored in PostgreSQL text, and the others break
// CSV files and log lines the id ends up in.
export const ExternalId = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

/** One user of an import page: the same fields, with the external id in the object. */
export const ImportedUser = Type.Object({ externalId: ExternalId, ...UserFields }, { additionalProperties: false });
export type ImportedUser = Static<typeof ImportedUser>;
