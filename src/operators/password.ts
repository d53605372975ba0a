import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Operator passwords, hashed with scrypt (RFC 7914) from node:crypto.
 *
 * Parameters: N = 2^15, r = 8, p = 1, a 16-byte random salt and a 32-byte key: OWASP's
 * Password Storage Cheat Sheet minimum for scrypt, about 32 MiB of memory and some 50 ms
 * of one core per hash, so a guesser pays the same. They are stored with each hash
 * (`scrypt$32768$8$1$<salt>$<key>`, base64url), so raising them later leaves old hashes
 * verifiable.
 */
export const SCRYPT = { N: 32_768, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

/** Characters; a passphrase is the point, and the upper bound keeps a hash's cost bounded. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 1_024;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  // maxmem above 128 * N * r bytes, which scrypt needs; Node's default (32 MiB) is just under.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLength);
  const key = await derive(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p, SCRYPT.keyLength);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `stored`; false for a stored value that is not a scrypt hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || salt === undefined || key === undefined) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p), expected.length);
  return timingSafeEqual(actual, expected);
}

/**
 * A hash of a password nobody has, verified against when the email is unknown, so that the
 * answer takes as long for an unknown account as for a wrong password.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('base64url'));
  return decoy;
}
