import { Type, type Static } from '@sinclair/typebox';
import { CATEGORY_PATTERN, MAX_APP_CATEGORIES } from '../../apps/categories.ts';

/** Schemas of the app routes (apps.ts). */
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
  categories: Type.Array(Type.String(), { description: 'The app’s own notification categories, beside the built-in orders, promotions, security and civic' }),
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
    categories: Type.Optional(
      Type.Array(Type.String({ pattern: CATEGORY_PATTERN, description: 'lower case, a letter first, up to 32 characters' }), {
        maxItems: MAX_APP_CATEGORIES,
        uniqueItems: true,
        description: 'Replaces the app’s own notification categories ([] removes them); the built-in ones cannot be declared. Users’ choices for a removed category are kept',
      }),
    ),
  },
  { additionalProperties: false },
);
export type UpdateAppBody = Static<typeof UpdateAppBody>;
export const IdentitySecret = Type.Object({ identitySecret: Type.String({ description: 'Shown once; hashes made with the previous secret no longer verify' }) });
