import { Type, type Static } from '@sinclair/typebox';
import { Id } from '../../message/fields.ts';

/** Schemas of the credential routes (credentials.ts). */
export const CredentialKindParams = Type.Object({ appId: Id, kind: Type.Union([Type.Literal('apns'), Type.Literal('fcm')]) });
export type CredentialKindParams = Static<typeof CredentialKindParams>;

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
