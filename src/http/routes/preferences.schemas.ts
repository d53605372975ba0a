import { Type, type Static } from '@sinclair/typebox';
import { QuietHours } from '../../campaigns/timing/index.ts';
import { Id } from '../../message/fields.ts';

/** Schemas of the preference routes (preferences.ts). */

const UserIdHash = Type.String({
  pattern: '^[0-9a-fA-F]{64}$',
  description: "hex HMAC-SHA-256 of the user id under the app's identity secret, made by your server; needed with the publishable key when the app verifies identities",
});

export const UserParams = Type.Object({
  appId: Id,
  externalId: Type.String({ minLength: 1, maxLength: 256, description: "The site's own id for the user (a subscription's userId)" }),
});
export type UserParams = Static<typeof UserParams>;

/**
 * `{"promotions": false, "orders": true}`: each member a category of the app (the
 * built-in ones and the app's own), checked by the handler so that an unknown one is
 * answered `unknown_category` with a pointer to it. `userIdHash` rides along for the
 * publishable key; a category name is lower case, so the two cannot meet.
 */
export const PreferencesBody = Type.Object(
  { userIdHash: Type.Optional(UserIdHash) },
  {
    additionalProperties: Type.Boolean(),
    // The built-in categories, at most 50 of the app's own, and userIdHash.
    maxProperties: 55,
    description: 'Categories to turn on (true) or off (false); categories not named are left as they are',
  },
);
export type PreferencesBody = Static<typeof PreferencesBody> & Record<string, boolean | string | undefined>;

export const PreferencesQuery = Type.Object({ userIdHash: Type.Optional(UserIdHash) }, { additionalProperties: false });
export type PreferencesQuery = Static<typeof PreferencesQuery>;

export const Preferences = Type.Record(Type.String(), Type.Boolean(), {
  description: 'Every category of the app: true unless the user turned it off (security is always true)',
  examples: [{ orders: true, promotions: false, security: true, civic: true }],
});

/** `PUT .../quiet-hours`: the user's own window, or null to fall back to the app's. */
export const QuietHoursBody = Type.Object(
  { quietHours: Type.Union([QuietHours, Type.Null()], { description: 'the user’s own window, replacing the app’s; null: the app’s applies' }), userIdHash: Type.Optional(UserIdHash) },
  { additionalProperties: false },
);
export type QuietHoursBody = Static<typeof QuietHoursBody>;
