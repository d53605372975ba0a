/**
 * APNs provider authentication tokens: ES256 JWTs signed with the team's token signing
 * key (.p8), sent as `authorization: bearer <jwt>`.
 *
 * Apple, "Establishing a token-based connection to APNs": the header carries `alg: ES256`
 * and `kid` (the 10-character key id); the claims carry `iss` (the 10-character team id)
 * and `iat` (seconds). APNs refuses a token whose `iat` is more than one hour old
 * (403 ExpiredProviderToken) and a token replaced more often than every 20 minutes
 * (429 TooManyProviderTokenUpdates).
 *
 * Pure: the time is an argument; the key is parsed once into a KeyObject.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { InvalidApnsKeyError } from './errors.ts';

/** s; APNs refuses tokens older than this (ExpiredProviderToken). */
export const PROVIDER_TOKEN_MAX_AGE = 60 * 60;
/** s; APNs refuses a new token sooner than this after the last (TooManyProviderTokenUpdates). */
export const PROVIDER_TOKEN_MIN_REFRESH = 20 * 60;

const TEN_CHARACTERS = /^[A-Z0-9]{10}$/;

/** Checks a key id or team id: both are 10 upper-case letters and digits in Apple's developer account. */
export function validateApnsId(kind: 'key_id' | 'team_id', value: string): string {
  if (!TEN_CHARACTERS.test(value)) {
    throw new InvalidApnsKeyError(kind, `${kind === 'key_id' ? 'keyId' : 'teamId'} must be the 10-character id from Apple's developer account`);
  }
  return value;
}

/**
 * Parses the token signing key Apple hands out as AuthKey_<keyId>.p8: a PKCS #8 PEM of a
 * P-256 private key. The error never quotes the key.
 */
export function apnsSigningKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new InvalidApnsKeyError('format', 'the key is not a PEM private key (the contents of AuthKey_<keyId>.p8)', { cause });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new InvalidApnsKeyError('curve', 'an APNs token signing key is a P-256 (ES256) key');
  }
  return key;
}

export interface ProviderTokenInput {
  key: KeyObject;
  keyId: string;
  teamId: string;
  /** Unix seconds. */
  issuedAt: number;
}

/**
 * Signs a provider token. ES256 per RFC 7518 §3.4: the signature is R || S, not DER.
 *
 * @example
 *   const jwt = signProviderToken({ key: apnsSigningKey(p8), keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', issuedAt: now });
 *   headers.authorization = `bearer ${jwt}`;
 */
export function signProviderToken(input: ProviderTokenInput): string {
  if (!Number.isSafeInteger(input.issuedAt) || input.issuedAt <= 0) throw new RangeError('issuedAt must be Unix seconds');
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: input.keyId })).toString('base64url');
  const claims = Buffer.from(JSON.stringify({ iss: input.teamId, iat: input.issuedAt })).toString('base64url');
  const signingInput = `${header}.${claims}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: input.key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}
