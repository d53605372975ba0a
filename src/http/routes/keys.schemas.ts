import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../../message/fields.ts';

/** Schemas of an app's API key routes (keys.ts). */
export const KeyParams = Type.Object({ appId: Id, keyId: Id });
export type KeyParams = Static<typeof KeyParams>;

const KeyKind = Type.Union([Type.Literal('secret'), Type.Literal('publishable')], { description: 'secret: the site’s server, everything for this app; publishable: browsers, subscriptions and events only' });

export const CreateKeyBody = Type.Object(
  {
    kind: KeyKind,
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'A label to tell the key from the others (“checkout server”)' })),
  },
  { additionalProperties: false },
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

const KeyFields = {
  id: Type.String(),
  kind: KeyKind,
  prefix: Type.String({ description: 'The key’s first 12 characters, to recognise it; never the whole key' }),
  name: Type.Union([Type.String(), Type.Null()], { description: 'Its label; null for the keys made with the app' }),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When it last opened a request, to the minute; null if never' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When it was revoked; null while it is valid' }),
};
export const ApiKeyList = Type.Object({ data: Type.Array(Type.Object(KeyFields)) });
export const CreatedApiKey = Type.Object({ ...KeyFields, key: Type.String({ description: 'The key itself: shown once, only its hash is stored' }) });
