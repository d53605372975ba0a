/**
 * How an app's APNs and FCM credentials are kept in `app_credentials`: the fields shown
 * as they are, the secret sealed under the master key. The API writes them
 * (src/credentials/); the senders read them (credential-source.ts).
 */
export const CREDENTIAL_KINDS = ['apns', 'fcm'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** Bound as associated data when sealing, so a sealed key copied to another app or kind does not open. */
export function credentialsContext(appId: string, kind: CredentialKind): string {
  return `app:${appId}:${kind}`;
}

export interface ApnsPublicFields {
  keyId: string;
  teamId: string;
  topic: string;
}

export interface FcmPublicFields {
  projectId: string;
  clientEmail: string;
  privateKeyId: string;
  tokenUri: string;
}
