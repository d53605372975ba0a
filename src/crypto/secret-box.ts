import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Seals secrets at rest (VAPID private keys, provider credentials) with AES-256-GCM under
 * the master key. The sealed form names the key by a short fingerprint, so a store can
 * hold values sealed under an old key while keys are rotated:
 * `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts).
 */
export class SecretBox {
  readonly keyId: string;
  readonly #keys: Map<string, Buffer>;

  /** `key` seals; `previous` keys can still open what they sealed. */
  constructor(key: Buffer, previous: Buffer[] = []) {
    for (const k of [key, ...previous]) {
      if (k.length !== 32) throw new Error('a master key must be 32 bytes');
    }
    this.keyId = fingerprint(key);
    this.#keys = new Map([key, ...previous].map((k) => [fingerprint(k), k]));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#keys.get(this.keyId)!, iv);
    // The context (for example `app:<id>:vapid`) is bound as associated data, so a sealed
    // value copied into another row does not open there.
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', this.keyId, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  open(sealed: string, context: string): string {
    const [version, keyId, iv, ct, tag] = sealed.split('.');
    if (version !== 'v1' || !keyId || iv === undefined || ct === undefined || tag === undefined) {
      throw new SecretUnavailableError('malformed', 'not a sealed secret');
    }
    const key = this.#keys.get(keyId);
    if (!key) throw new SecretUnavailableError('unknown_master_key', `secret sealed under unknown master key ${keyId}`, keyId);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch (err) {
      // GCM's tag check failed: altered, or copied from another row (context).
      throw new SecretUnavailableError('tampered', 'sealed secret does not open (altered, or sealed for another context)', keyId, { cause: err });
    }
  }

  /** Whether `sealed` names a key this box holds (it may still fail to open if altered). */
  holdsKeyOf(sealed: string): boolean {
    const keyId = sealed.split('.')[1];
    return keyId !== undefined && this.#keys.has(keyId);
  }

  /**
   * A 128-bit tag (HMAC-SHA-256, base64url) over `data` under the master key, for values
   * that leave Carillon and must come back unaltered. The context keeps a tag made for
   * one purpose from being accepted for another.
   */
  mac(data: string, context: string): string {
    return tag(this.#keys.get(this.keyId)!, data, context);
  }

  /** True when `mac` is the tag of `data` under the current or a previous master key. */
  verifyMac(data: string, context: string, mac: string): boolean {
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== TAG_BYTES) return false;
    for (const key of this.#keys.values()) {
      if (timingSafeEqual(Buffer.from(tag(key, data, context), 'base64url'), given)) return true;
    }
    return false;
  }
}

/**
 * A sealed secret that cannot be opened by this process: opening it again will fail the
 * same way until an operator acts, so callers fail what depended on it instead of retrying.
 */
export class SecretUnavailableError extends Error {
  override readonly name = 'SecretUnavailableError';
  readonly code = 'secret_unavailable';

  constructor(
    /** `unknown_master_key`: sealed under a key this process was not given. */
    readonly reason: 'unknown_master_key' | 'malformed' | 'tampered',
    message: string,
    /** The fingerprint the sealed value names (not secret: it is stored beside it). */
    readonly keyId?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const TAG_BYTES = 16;

function tag(key: Buffer, data: string, context: string): string {
  return createHmac('sha256', key).update(context).update('\0').update(data).digest().subarray(0, TAG_BYTES).toString('base64url');
}

function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}
