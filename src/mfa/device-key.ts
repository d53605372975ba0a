import { createPublicKey } from 'node:crypto';
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
    createPublicKey({ key: { ...key }, format: 'jwk' });
  } catch {
    throw bad('x', 'the point (x, y) is not on the P-256 curve');
  }
  return key;
}
