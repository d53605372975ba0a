/**
 * A test authenticator: a P-256 key pair made by WebCrypto as non-extractable (as the
 * reference authenticator keeps it in IndexedDB), signing its requests with jose.
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { CompactSign } from 'jose';

export interface TestDevice {
  publicJwk: Record<string, unknown>;
  /** Set once enrolled: the `kid` of what it signs. */
  id: string;
  sign(payload: Record<string, unknown>, opts?: { kid?: string }): Promise<string>;
}

export async function newDevice(): Promise<TestDevice> {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  if (pair.privateKey.extractable) throw new Error('the private key must not be extractable');
  // The raw point, not exportKey('jwk'): JWK export can hang Node 20 for good (a GC-time
  // lock in key export, DESIGN's facts from the field). The JWK is what a browser exports.
  const raw = Buffer.from(await webcrypto.subtle.exportKey('raw', pair.publicKey));
  const publicJwk = { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url'), ext: true, key_ops: ['verify'] };
  const device: TestDevice = {
    publicJwk,
    id: '',
    async sign(payload, opts = {}) {
      return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? device.id }).sign(pair.privateKey);
    },
  };
  return device;
}

export const nonce = () => randomBytes(16).toString('base64url');
