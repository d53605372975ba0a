import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random identifier with a type prefix: `app_3kT...` (128 bits, base64url). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(16).toString('base64url')}`;
}

/** A new API key: a recognisable prefix (so leaked keys can be found by scanners) and 256 random bits. */
export function newApiKey(kind: 'secret' | 'publishable' | 'admin'): string {
  const tag = { secret: 'sk', publishable: 'pk', admin: 'ak' }[kind];
  return `crl_${tag}_${randomBytes(32).toString('base64url')}`;
}

/** What is stored of a key: its SHA-256. Keys carry 256 bits of entropy, so no slow hash is needed. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
