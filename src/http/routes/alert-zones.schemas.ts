import { Type, type Static } from '@sinclair/typebox';
import { MAX_ZONES_PER_USER } from '../../alerts/zones.ts';

/** Schemas of a user's civic alert choices (alert-zones.ts); docs/civic-alerts.md#how-users-are-located-and-by-what-consent. */

const UserIdHash = Type.String({
  pattern: '^[0-9a-fA-F]{64}$',
  description: "hex HMAC-SHA-256 of the user id under the app's identity secret, made by your server; needed with the publishable key when the app verifies identities",
});

export const Zone = Type.Object(
  {
    // No colon: a zone is kept as VALUENAME:value.
    valueName: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^:\\s]+$', description: 'The geocode scheme as CAP names it (SAME, FIPS6, UGC, a postcode scheme); compared in upper case' }),
    value: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\s]+$', description: 'The code (006109, 75056)' }),
  },
  { additionalProperties: false },
);

export const AlertChoicesBody = Type.Object(
  {
    zones: Type.Optional(Type.Array(Zone, { maxItems: MAX_ZONES_PER_USER, description: 'Replaces the user’s zones; [] removes them all' })),
    testAlerts: Type.Optional(Type.Boolean({ description: 'Take Exercise and Test alerts' })),
    userIdHash: Type.Optional(UserIdHash),
  },
  { additionalProperties: false },
);
export type AlertChoicesBody = Static<typeof AlertChoicesBody>;

export const SharedLocationBody = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000, description: 'm, as GeolocationCoordinates.accuracy' })),
    userIdHash: Type.Optional(UserIdHash),
  },
  { additionalProperties: false },
);
export type SharedLocationBody = Static<typeof SharedLocationBody>;

export const UserHashQuery = Type.Object({ userIdHash: Type.Optional(UserIdHash) }, { additionalProperties: false });
export type UserHashQuery = Static<typeof UserHashQuery>;

export const AlertChoices = Type.Object({
  zones: Type.Array(Zone),
  testAlerts: Type.Boolean(),
  location: Type.Union([
    Type.Object({ lat: Type.Number(), lon: Type.Number(), accuracy: Type.Union([Type.Number(), Type.Null()]), updatedAt: Type.String({ format: 'date-time' }) }, { description: 'The position the user shared for alerts' }),
    Type.Null(),
  ]),
});
