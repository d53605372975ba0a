import { createHash, randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, opts: object) => Promise<Buffer>;

/**
 * A 6-digit code from the CSPRNG, each value equally likely (randomInt draws without
 * modulo bias): SP 800-63B-4 §3.1.3 asks for at least 6 decimal digits.
 */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** A single-use enrollment token: 256 random bits, recognisable by its prefix. */
export function newEnrollmentToken(): string {
  return `crl_mfe_${randomBytes(32).toString('base64url')}`;
}

/** What is stored of a token: its SHA-256 (256 bits of entropy need no slow hash). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

// scrypt with a per-challenge salt: a million codes at ~10 ms each take hours, far
// beyond a challenge's life, so reading the table does not give the code of a live challenge.
const SCRYPT = { N: 1 << 13, r: 8, p: 1, maxmem: 32 * 1024 * 1024 };

/** `salt.hash`, both base64url, of a code bound to its challenge. */
export async function hashCode(challengeId: string, code: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(`${challengeId}:${code}`, salt, 32, SCRYPT);
  return `${salt.toString('base64url')}.${hash.toString('base64url')}`;
}

/** Whether `code` is the challenge's, compared in constant time (SP 800-63B-4 §3.2.2). */
export async function codeMatches(challengeId: string, code: string, stored: string): Promise<boolean> {
  const [salt, hash] = stored.split('.');
  if (!salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const got = await scryptAsync(`${challengeId}:${code}`, Buffer.from(salt, 'base64url'), 32, SCRYPT);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
