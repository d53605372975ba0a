import { createHash, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

/** A random identifier with a type prefix: `app_3kT...` (128 bits, base64url). */
export function newId(prefix: string): string {
  return `${prefix}_${idBytes().toString('base64url')}`;
}

// Ids are drawn from a pool filled 4 KiB at a time from the CSPRNG (as crypto.randomUUID
// does): one call into OpenSSL per 256 ids instead of one per id. Each 16 bytes are handed
// out once, and are as unpredictable as randomBytes(16).
const ID_POOL = Buffer.alloc(4096);
let idOffset = ID_POOL.length;

function idBytes(): Buffer {
  if (idOffset === ID_POOL.length) {
    randomFillSync(ID_POOL);
    idOffset = 0;
  }
  idOffset += 16;
  return ID_POOL.subarray(idOffset - 16, idOffset);
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
