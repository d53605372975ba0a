/**
 * RFC 8291 Message Encryption for Web Push: an ECDH (P-256) and auth-secret key
 * agreement that feeds RFC 8188 aes128gcm with a single record.
 *
 * Pure: no I/O and no clock. Fresh sender keys and salt come from node:crypto
 * unless injected (the RFC 8291 §5 vector injects both).
 */
import { createECDH, randomBytes, type ECDH } from 'node:crypto';

let ephemeral: ECDH | undefined;
import {
  DEFAULT_RECORD_SIZE,
  FIXED_HEADER_BYTES,
  SALT_BYTES,
  TAG_BYTES,
  deriveContentKeys,
  hmacSha256,
  openRecords,
  parseHeader,
  sealRecords,
  writeHeader,
} from './aes128gcm.ts';
import {
  DecryptError,
  EncryptionParameterError,
  InvalidAuthSecretError,
  InvalidKeyError,
  PayloadTooLargeError,
} from './errors.ts';
import { AUTH_SECRET_BYTES, P256_PRIVATE_KEY_BYTES, P256_PUBLIC_KEY_BYTES } from './keys.ts';

export {
  CEK_INFO,
  NONCE_INFO,
  decryptAes128gcm,
  deriveContentKeys,
  encryptAes128gcm,
} from './aes128gcm.ts';
export { parseAuthSecret, parseP256PublicKey } from './keys.ts';

/**
 * RFC 8030 §7.2 and RFC 8291 §4: a push service need not accept more than
 * 4096 octets of body.
 */
export const MAX_BODY_BYTES = 4096;
/** RFC 8291 §4: salt 16 + rs 4 + idlen 1 + keyid 65 (the sender's public key). */
export const WEBPUSH_HEADER_BYTES = FIXED_HEADER_BYTES + P256_PUBLIC_KEY_BYTES;
/** One delimiter octet and the AES-GCM tag around the plaintext. */
const RECORD_OVERHEAD = 1 + TAG_BYTES;
/** RFC 8291 §4: "this equates to, at most, 3993 octets of plaintext". */
export const MAX_PLAINTEXT_BYTES = MAX_BODY_BYTES - WEBPUSH_HEADER_BYTES - RECORD_OVERHEAD;

/** RFC 8291 §3.4: "WebPush: info" || 0x00, then ua_public, then as_public. */
export const KEY_INFO_PREFIX = Buffer.from('WebPush: info\0', 'latin1');

/** Largest plaintext whose encrypted body fits `maxBodyBytes` with `padding` zero octets. */
export function maxPlaintextBytes(maxBodyBytes: number = MAX_BODY_BYTES, padding = 0): number {
  return Math.max(0, maxBodyBytes - WEBPUSH_HEADER_BYTES - RECORD_OVERHEAD - padding);
}

/** Length of the body `encryptWebPush` produces for a plaintext of this length. */
export function encryptedBodyLength(plaintextLength: number, padding = 0): number {
  return WEBPUSH_HEADER_BYTES + plaintextLength + padding + RECORD_OVERHEAD;
}

export interface WebPushKeySchedule {
  prkKey: Buffer;
  keyInfo: Buffer;
  ikm: Buffer;
}

/**
 * RFC 8291 §3.3 and §3.4: combine the ECDH secret with the auth secret.
 *   PRK_key = HMAC-SHA-256(auth_secret, ecdh_secret)
 *   IKM     = HMAC-SHA-256(PRK_key, key_info || 0x01)
 */
export function deriveWebPushIkm(input: {
  ecdhSecret: Buffer;
  authSecret: Buffer;
  uaPublic: Buffer;
  asPublic: Buffer;
}): WebPushKeySchedule {
  const prkKey = hmacSha256(input.authSecret, input.ecdhSecret);
  const keyInfo = Buffer.concat([KEY_INFO_PREFIX, input.uaPublic, input.asPublic]);
  const ikm = hmacSha256(prkKey, keyInfo, Buffer.from([0x01]));
  return { prkKey, keyInfo, ikm };
}

export interface EncryptWebPushOptions {
  plaintext: Buffer;
  /** The subscription's `p256dh`: 65-byte uncompressed P-256 point. */
  uaPublic: Buffer;
  /** The subscription's `auth`: 16 bytes. */
  authSecret: Buffer;
  /** Injected only to reproduce vectors: RFC 8291 §3.1 wants a fresh key pair per message. */
  senderKeys?: { publicKey: Buffer; privateKey: Buffer };
  salt?: Buffer;
  recordSize?: number;
  /** Zero octets after the delimiter, to hide the plaintext length (RFC 8291 §4). */
  padding?: number;
}

/**
 * Encrypts one push message body (RFC 8291 §4): the aes128gcm header with the
 * sender's public key as keyid, then a single record ending in 0x02.
 *
 * @example
 *   const body = encryptWebPush({ plaintext: Buffer.from(json), uaPublic, authSecret });
 *   // POST body with Content-Encoding: aes128gcm
 */
export function encryptWebPush(options: EncryptWebPushOptions): Buffer {
  const { plaintext, uaPublic, authSecret } = options;
  const recordSize = options.recordSize ?? DEFAULT_RECORD_SIZE;
  const padding = options.padding ?? 0;
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  if (authSecret.length !== AUTH_SECRET_BYTES) {
    throw new InvalidAuthSecretError('length', `the auth secret must be ${AUTH_SECRET_BYTES} bytes, got ${authSecret.length}`);
  }
  const bodyLength = encryptedBodyLength(plaintext.length, padding);
  if (bodyLength > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(bodyLength, MAX_BODY_BYTES);
  }
  // RFC 8291 §4: rs must exceed plaintext + delimiter + padding + tag, so the
  // message is one record.
  if (!Number.isInteger(recordSize) || recordSize > 0xffffffff || recordSize < plaintext.length + padding + RECORD_OVERHEAD) {
    throw new EncryptionParameterError('recordSize', 'record size must hold the whole message in one record');
  }

  // createECDH with raw keys, not generateKeyPairSync + JWK export: the latter
  // has hung Node 20 processes after some thousands of iterations.
  let asPublic: Buffer;
  let ecdh: ECDH;
  if (options.senderKeys) {
    ecdh = createECDH('prime256v1');
    // ECDH.getPrivateKey() drops leading zero bytes, so shorter scalars are accepted.
    const privateKey = options.senderKeys.privateKey;
    if (privateKey.length === 0 || privateKey.length > P256_PRIVATE_KEY_BYTES) {
      throw new InvalidKeyError('length', `the sender private key must be at most ${P256_PRIVATE_KEY_BYTES} bytes`);
    }
    try {
      ecdh.setPrivateKey(privateKey);
    } catch (cause) {
      throw new InvalidKeyError('format', 'the sender private key is not a P-256 scalar', { cause });
    }
    asPublic = ecdh.getPublicKey();
    if (!asPublic.equals(options.senderKeys.publicKey)) {
      throw new InvalidKeyError('mismatch', 'the sender public key does not belong to the sender private key');
    }
  } else {
    // generateKeys() replaces the pair on each call: one object serves every message,
    // which saves constructing an EVP context per recipient.
    ecdh = (ephemeral ??= createECDH('prime256v1'));
    asPublic = ecdh.generateKeys();
  }
  const ecdhSecret = computeSecret(ecdh, uaPublic, 'the subscription public key');
  const { ikm } = deriveWebPushIkm({ ecdhSecret, authSecret, uaPublic, asPublic });
  const keys = deriveContentKeys(ikm, salt);
  return Buffer.concat([
    writeHeader(salt, recordSize, asPublic),
    ...sealRecords(keys, recordSize, [{ data: plaintext, padding }]),
  ]);
}

export interface DecryptWebPushOptions {
  body: Buffer;
  /** The user agent's private key (32 bytes) and public key (65 bytes). */
  uaPrivate: Buffer;
  uaPublic: Buffer;
  authSecret: Buffer;
}

/**
 * Decrypts a push message as a user agent does (RFC 8291 §4): the keyid must be
 * the sender's P-256 public key, there must be exactly one record, and its
 * padding must end in the 0x02 delimiter. Throws DecryptError otherwise.
 */
export function decryptWebPush(options: DecryptWebPushOptions): Buffer {
  const { body, uaPrivate, uaPublic, authSecret } = options;
  if (authSecret.length !== AUTH_SECRET_BYTES) {
    throw new InvalidAuthSecretError('length', `the auth secret must be ${AUTH_SECRET_BYTES} bytes, got ${authSecret.length}`);
  }
  const header = parseHeader(body);
  if (header.keyid.length !== P256_PUBLIC_KEY_BYTES) {
    throw new DecryptError('keyid', `keyid of ${header.keyid.length} bytes is not a P-256 public key`);
  }
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(uaPrivate);
  } catch (cause) {
    throw new InvalidKeyError('format', 'the user agent private key is not a P-256 private key', { cause });
  }
  let ecdhSecret: Buffer;
  try {
    ecdhSecret = computeSecret(ecdh, header.keyid, 'the keyid');
  } catch (cause) {
    throw new DecryptError('keyid', 'keyid is not a point on P-256', { cause });
  }
  const { ikm } = deriveWebPushIkm({ ecdhSecret, authSecret, uaPublic, asPublic: header.keyid });
  const keys = deriveContentKeys(ikm, header.salt);
  const records = body.subarray(header.length);
  // RFC 8291 §4: a push message is a single record, so the ciphertext after the
  // header cannot be longer than rs.
  if (records.length > header.recordSize) {
    throw new DecryptError('record', 'a Web Push message must be a single record');
  }
  return openRecords(keys, header.recordSize, records).plaintext;
}

function computeSecret(ecdh: ReturnType<typeof createECDH>, publicKey: Buffer, what: string): Buffer {
  if (publicKey.length !== P256_PUBLIC_KEY_BYTES || publicKey[0] !== 0x04) {
    throw new InvalidKeyError('format', `${what} is not a 65-byte uncompressed P-256 point`);
  }
  try {
    return ecdh.computeSecret(publicKey);
  } catch (cause) {
    throw new InvalidKeyError('not_on_curve', `${what} is not a point on P-256`, { cause });
  }
}
