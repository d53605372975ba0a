/**
 * The service account key JSON that Google Cloud hands out ("Create and delete service
 * account keys"): `type: service_account`, `project_id`, `private_key_id`, `private_key`
 * (an RSA PKCS #8 PEM), `client_email`, `token_uri`, and some members not used here.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { InvalidServiceAccountError } from './errors.ts';

export interface ServiceAccount {
  projectId: string;
  privateKeyId: string;
  /** PEM; a secret. */
  privateKey: string;
  clientEmail: string;
  /** Where the OAuth 2 assertion is exchanged for an access token (Google's is https://oauth2.googleapis.com/token). */
  tokenUri: string;
}

function member(json: Record<string, unknown>, name: string): string {
  const value = json[name];
  if (typeof value !== 'string' || value === '') throw new InvalidServiceAccountError(name, `serviceAccount.${name} is required`);
  return value;
}

/** Checks the JSON and returns what Carillon uses from it. */
export function parseServiceAccount(input: unknown): ServiceAccount {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidServiceAccountError('', 'the service account must be a JSON object');
  const json = input as Record<string, unknown>;
  if (json.type !== 'service_account') throw new InvalidServiceAccountError('type', 'serviceAccount.type must be "service_account" (a key of a service account, not an OAuth client)');
  const projectId = member(json, 'project_id');
  // Google project ids: 6 to 30 lower-case letters, digits and hyphens, starting with a letter.
  if (!/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/.test(projectId)) throw new InvalidServiceAccountError('project_id', 'serviceAccount.project_id is not a Google Cloud project id');
  const account: ServiceAccount = {
    projectId,
    privateKeyId: member(json, 'private_key_id'),
    privateKey: member(json, 'private_key'),
    clientEmail: member(json, 'client_email'),
    tokenUri: member(json, 'token_uri'),
  };
  if (!/^[^@\s]+@[^@\s]+$/.test(account.clientEmail)) throw new InvalidServiceAccountError('client_email', 'serviceAccount.client_email is not an e-mail address');
  try {
    new URL(account.tokenUri);
  } catch {
    throw new InvalidServiceAccountError('token_uri', 'serviceAccount.token_uri is not a URL');
  }
  serviceAccountSigningKey(account.privateKey);
  return account;
}

/** The RSA key that signs the assertion (RS256), parsed once. */
export function serviceAccountSigningKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new InvalidServiceAccountError('private_key', 'serviceAccount.private_key is not a PEM private key', { cause });
  }
  if (key.asymmetricKeyType !== 'rsa') throw new InvalidServiceAccountError('private_key', 'serviceAccount.private_key must be an RSA key (RS256)');
  return key;
}
