/**
 * RFC 8188 "aes128gcm" encrypted content coding: header, key schedule and
 * records. Web Push (ece.ts) is one use of it; this file knows nothing of ECDH.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { DecryptError, EncryptionParameterError } from './errors.ts';

export const SALT_BYTES = 16;
export const KEY_BYTES = 16;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** RFC 8188 §2.1: salt (16) + rs (4) + idlen (1), before the keyid. */
export const FIXED_HEADER_BYTES = 21;
/** RFC 8188 §2.1: "Values smaller than 18 are invalid" (a tag plus a delimiter need 17). */
export const MIN_RECORD_SIZE = 18;
export const DEFAULT_RECORD_SIZE = 4096;

/** RFC 8188 §2.2: info for the content-encryption key. */
export const CEK_INFO = Buffer.from('Content-Encoding: aes128gcm\0', 'latin1');
/** RFC 8188 §2.3: info for the nonce. */
export const NONCE_INFO = Buffer.from('Content-Encoding: nonce\0', 'latin1');

const DELIMITER_MORE = 0x01;
const DELIMITER_LAST = 0x02;
const ONE = Buffer.from([0x01]);

export interface Aes128gcmHeader {
  salt: Buffer;
  recordSize: number;
  keyid: Buffer;
  /** Bytes the header occupies; the records start there. */
  length: number;
}

export interface ContentKeys {
  prk: Buffer;
  cek: Buffer;
  nonce: Buffer;
}

export function hmacSha256(key: Buffer, ...data: Buffer[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of data) mac.update(part);
  return mac.digest();
}

/**
 * RFC 8188 §2.2 and §2.3: PRK = HKDF-Extract(salt, IKM); CEK and NONCE are
 * HKDF-Expand outputs shorter than one SHA-256 block, so each is the first bytes
 * of HMAC(PRK, info || 0x01) (RFC 5869 §2.3, T(1)).
 */
export function deriveContentKeys(ikm: Buffer, salt: Buffer): ContentKeys {
  const prk = hmacSha256(salt, ikm);
  return {
    prk,
    cek: hmacSha256(prk, CEK_INFO, ONE).subarray(0, KEY_BYTES),
    nonce: hmacSha256(prk, NONCE_INFO, ONE).subarray(0, NONCE_BYTES),
  };
}

export function writeHeader(salt: Buffer, recordSize: number, keyid: Buffer): Buffer {
  const header = Buffer.alloc(FIXED_HEADER_BYTES + keyid.length);
  salt.copy(header, 0);
  header.writeUInt32BE(recordSize, SALT_BYTES);
  header.writeUInt8(keyid.length, SALT_BYTES + 4);
  keyid.copy(header, FIXED_HEADER_BYTES);
  return header;
}

export function parseHeader(body: Buffer): Aes128gcmHeader {
  if (body.length < FIXED_HEADER_BYTES) {
    throw new DecryptError('header', `body of ${body.length} bytes is shorter than the aes128gcm header`);
  }
  const idlen = body.readUInt8(SALT_BYTES + 4);
  const length = FIXED_HEADER_BYTES + idlen;
  if (body.length < length) {
    throw new DecryptError('header', `body ends inside its ${idlen}-byte keyid`);
  }
  const recordSize = body.readUInt32BE(SALT_BYTES);
  if (recordSize < MIN_RECORD_SIZE) {
    throw new DecryptError('record_size', `record size ${recordSize} is below the minimum of ${MIN_RECORD_SIZE}`);
  }
  return {
    salt: body.subarray(0, SALT_BYTES),
    recordSize,
    keyid: body.subarray(FIXED_HEADER_BYTES, length),
    length,
  };
}

// RFC 8188 §2.3: the nonce is NONCE XOR SEQ, SEQ a 96-bit big-endian record number.
// Only the low 32 bits are ever non-zero: 2^32 records of at least 18 bytes are
// far past any body this code handles.
function recordNonce(base: Buffer, seq: number): Buffer {
  const nonce = Buffer.from(base);
  nonce.writeUInt32BE((nonce.readUInt32BE(NONCE_BYTES - 4) ^ seq) >>> 0, NONCE_BYTES - 4);
  return nonce;
}

/** One record's content before sealing: data, then a delimiter, then `padding` zero octets. */
export interface RecordPlan {
  data: Buffer;
  padding?: number;
}

/** Seals records (RFC 8188 §2): every record but the last fills exactly rs octets. */
export function sealRecords(keys: ContentKeys, recordSize: number, plans: readonly RecordPlan[]): Buffer[] {
  const out: Buffer[] = [];
  plans.forEach((plan, seq) => {
    const last = seq === plans.length - 1;
    const padding = plan.padding ?? 0;
    const length = plan.data.length + 1 + padding + TAG_BYTES;
    if (!Number.isInteger(padding) || padding < 0) {
      throw new EncryptionParameterError('padding', 'padding must be a non-negative integer');
    }
    if (last ? length > recordSize : length !== recordSize) {
      throw new EncryptionParameterError(
        'records',
        `record ${seq} would be ${length} bytes; ${last ? 'the last record may be at most' : 'records before the last must be exactly'} ${recordSize}`,
      );
    }
    const plaintext = Buffer.alloc(plan.data.length + 1 + padding);
    plan.data.copy(plaintext, 0);
    plaintext[plan.data.length] = last ? DELIMITER_LAST : DELIMITER_MORE;
    const cipher = createCipheriv('aes-128-gcm', keys.cek, recordNonce(keys.nonce, seq));
    out.push(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
  });
  return out;
}

/**
 * Opens the records that follow a header. Enforces RFC 8188 §2: the delimiter is
 * the last non-zero octet, 0x02 on the last record and 0x01 on the others; a body
 * whose last record says "more follows" has been truncated.
 */
export function openRecords(keys: ContentKeys, recordSize: number, data: Buffer): { plaintext: Buffer; records: number } {
  if (data.length === 0) {
    throw new DecryptError('truncated', 'the body holds a header and no record');
  }
  const parts: Buffer[] = [];
  let offset = 0;
  let seq = 0;
  while (offset < data.length) {
    const end = Math.min(offset + recordSize, data.length);
    const record = data.subarray(offset, end);
    if (record.length < TAG_BYTES + 1) {
      throw new DecryptError('record', `record ${seq} is ${record.length} bytes, too short for a tag and a delimiter`);
    }
    const decipher = createDecipheriv('aes-128-gcm', keys.cek, recordNonce(keys.nonce, seq));
    decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(record.subarray(0, record.length - TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw new DecryptError('authentication', `record ${seq} failed authentication`, { cause });
    }
    let at = plain.length - 1;
    while (at >= 0 && plain[at] === 0) at--;
    if (at < 0) {
      throw new DecryptError('padding', `record ${seq} has no padding delimiter`);
    }
    const last = end === data.length;
    const delimiter = plain[at];
    if (last && delimiter === DELIMITER_MORE) {
      throw new DecryptError('truncated', `record ${seq} is the last present but is not marked final`);
    }
    if (delimiter !== (last ? DELIMITER_LAST : DELIMITER_MORE)) {
      throw new DecryptError('padding', `record ${seq} has padding delimiter 0x${delimiter?.toString(16).padStart(2, '0')}`);
    }
    parts.push(plain.subarray(0, at));
    offset = end;
    seq++;
  }
  return { plaintext: Buffer.concat(parts), records: seq };
}

export type EncryptAes128gcmOptions = {
  ikm: Buffer;
  /** 16 random bytes unless given (RFC 8188 §2.1: a salt is never reused with one key). */
  salt?: Buffer;
  keyid?: Buffer;
  recordSize?: number;
} & (
  | { plaintext: Buffer; padding?: number; records?: never }
  | { records: readonly RecordPlan[]; plaintext?: never; padding?: never }
);

/**
 * Encrypts with RFC 8188 aes128gcm. Give `plaintext` to split it over as few
 * records as fit `recordSize` (with `padding` zero octets in the last), or
 * `records` to lay the records out yourself (as RFC 8188 §3.2 does).
 */
export function encryptAes128gcm(options: EncryptAes128gcmOptions): Buffer {
  const recordSize = options.recordSize ?? DEFAULT_RECORD_SIZE;
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const keyid = options.keyid ?? Buffer.alloc(0);
  if (!Number.isInteger(recordSize) || recordSize < MIN_RECORD_SIZE || recordSize > 0xffffffff) {
    throw new EncryptionParameterError('recordSize', `record size must be an integer from ${MIN_RECORD_SIZE} to 2^32-1`);
  }
  if (salt.length !== SALT_BYTES) {
    throw new EncryptionParameterError('salt', `salt must be ${SALT_BYTES} bytes`);
  }
  if (keyid.length > 255) {
    throw new EncryptionParameterError('keyid', 'keyid must be at most 255 bytes (RFC 8188 §2.1: idlen is one octet)');
  }
  const plans = options.records ?? splitIntoRecords(options.plaintext, recordSize, options.padding ?? 0);
  if (plans.length === 0) {
    throw new EncryptionParameterError('records', 'at least one record is needed');
  }
  const keys = deriveContentKeys(options.ikm, salt);
  return Buffer.concat([writeHeader(salt, recordSize, keyid), ...sealRecords(keys, recordSize, plans)]);
}

function splitIntoRecords(plaintext: Buffer, recordSize: number, padding: number): RecordPlan[] {
  const capacity = recordSize - TAG_BYTES - 1;
  const plans: RecordPlan[] = [];
  for (let offset = 0; offset < plaintext.length || plans.length === 0; offset += capacity) {
    plans.push({ data: plaintext.subarray(offset, offset + capacity) });
  }
  const last = plans[plans.length - 1];
  if (last) last.padding = padding;
  return plans;
}

/** Decrypts an RFC 8188 aes128gcm body whose input keying material is known. */
export function decryptAes128gcm(options: { body: Buffer; ikm: Buffer }): Buffer {
  const header = parseHeader(options.body);
  const keys = deriveContentKeys(options.ikm, header.salt);
  return openRecords(keys, header.recordSize, options.body.subarray(header.length)).plaintext;
}
