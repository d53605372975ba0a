import { createPublicKey, type KeyObject } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { ApiError } from '../errors/api-error.ts';

/**
 * A device's public key as WebCrypto's `exportKey('jwk', publicKey)` gives it (RFC 7517,
 * RFC 7518 §6.2). Private members are refused by name so that a device that sent its
 * private key by mistake is told, not silently stripped: Carillon keeps public keys only.
 */
export const DeviceJwk = Type.Object(
  {
    kty: Type.String({ maxLength: 8 }),
    crv: Type.String({ maxLength: 16 }),
    x: Type.String({ maxLength: 64 }),
    y: Type.String({ maxLength: 64 }),
    alg: Type.Optional(Type.String({ maxLength: 16 })),
    use: Type.Optional(Type.String({ maxLength: 8 })),
    ext: Type.Optional(Type.Boolean()),
    key_ops: Type.Optional(Type.Array(Type.String({ maxLength: 16 }), { maxItems: 8 })),
    kid: Type.Optional(Type.String({ maxLength: 128 })),
    d: Type.Optional(Type.String({ maxLength: 64, description: 'refused: a private member' })),
  },
  { additionalProperties: false, description: 'The P-256 public key as a JWK; never the private key' },
);
export type DeviceJwk = Static<typeof DeviceJwk>;

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/** The key's public members, after checking that it is a point of P-256; throws `device_key_invalid` with a pointer. */
export function parseDeviceKey(jwk: DeviceJwk, pointer = '#/publicKey'): PublicJwk {
  const bad = (member: string, why: string) => new ApiError('device_key_invalid', `publicKey.${member}: ${why}`, { pointer: `${pointer}/${member}` });
  if (jwk.d !== undefined) throw bad('d', 'a private key member; send the public key only');
  if (jwk.kty !== 'EC') throw bad('kty', 'must be "EC"');
  if (jwk.crv !== 'P-256') throw bad('crv', 'must be "P-256"');
  if (jwk.alg !== undefined && jwk.alg !== 'ES256') throw bad('alg', 'must be "ES256" when given');
  for (const c of ['x', 'y'] as const) if (!COORDINATE.test(jwk[c]) || Buffer.from(jwk[c], 'base64url').length !== 32) throw bad(c, 'must be 32 bytes in base64url');
  const key: PublicJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  try {
    // OpenSSL refuses a point that is not on the curve (an invalid-curve attack key).
    devicePublicKey(key);
  } catch {
    throw bad('x', 'the point (x, y) is not on the P-256 curve');
  }
  return key;
}

// The DER SubjectPublicKeyInfo head of an uncompressed P-256 point (RFC 5480 §2): the key is
// read from DER, not from JWK, since JWK import and export can hang Node 20 for good (a
// GC-time lock in key export, seen on these machines).
const P256_SPKI_HEAD = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/** The key as a KeyObject for verifying (jose takes it as is). */
export function devicePublicKey(jwk: PublicJwk): KeyObject {
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  return createPublicKey({ key: Buffer.concat([P256_SPKI_HEAD, point]), format: 'der', type: 'spki' });
}
