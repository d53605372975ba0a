import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeBase64url } from './base64url.ts';
import { InvalidAuthSecretError, InvalidKeyError } from './errors.ts';

/** Uncompressed P-256 point: 0x04 || X (32) || Y (32), SEC 1 §2.3.3. */
export const P256_PUBLIC_KEY_BYTES = 65;
export const P256_PRIVATE_KEY_BYTES = 32;
/** RFC 8291 §3.2: the authentication secret is 16 octets. */
export const AUTH_SECRET_BYTES = 16;

// DER SubjectPublicKeyInfo prefix for an id-ecPublicKey on prime256v1 (RFC 5480 §2),
// followed by the BIT STRING holding the 65-byte point. Importing through DER avoids
// JWK handling, which has shown process-wide stalls under load on Node 20.
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/**
 * Builds a public KeyObject from a raw uncompressed P-256 point. OpenSSL checks
 * that the point lies on the curve, which is what stops invalid-curve attacks on
 * ECDH (RFC 8291 §3.1 relies on both keys being valid points).
 */
export function p256PublicKeyObject(point: Buffer): KeyObject {
  if (point.length !== P256_PUBLIC_KEY_BYTES) {
    throw new InvalidKeyError('length', `a P-256 public key is ${P256_PUBLIC_KEY_BYTES} bytes, got ${point.length}`);
  }
  if (point[0] !== 0x04) {
    throw new InvalidKeyError('format', 'a P-256 public key must be in uncompressed form (leading 0x04)');
  }
  try {
    return createPublicKey({ key: Buffer.concat([P256_SPKI_PREFIX, point]), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new InvalidKeyError('not_on_curve', 'the public key is not a point on P-256', { cause });
  }
}

/**
 * Parses a subscription's `p256dh` (base64url) into its 65 raw bytes, refusing
 * anything that is not an uncompressed point on P-256.
 *
 * @example parseP256PublicKey(subscription.keys.p256dh)
 */
export function parseP256PublicKey(text: string): Buffer {
  let point: Buffer;
  try {
    point = decodeBase64url(text);
  } catch (cause) {
    throw new InvalidKeyError('encoding', 'the public key is not base64url', { cause });
  }
  p256PublicKeyObject(point);
  return point;
}

/** Parses a subscription's `auth` (base64url) into exactly 16 bytes (RFC 8291 §3.2). */
export function parseAuthSecret(text: string): Buffer {
  let secret: Buffer;
  try {
    secret = decodeBase64url(text);
  } catch (cause) {
    throw new InvalidAuthSecretError('encoding', 'the auth secret is not base64url', { cause });
  }
  if (secret.length !== AUTH_SECRET_BYTES) {
    throw new InvalidAuthSecretError(
      'length',
      `the auth secret must be ${AUTH_SECRET_BYTES} bytes, got ${secret.length}`,
    );
  }
  return secret;
}
