import { createHash, randomBytes, randomInt } from 'node:crypto';

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

/** What a challenge's code hash needs of the master key box (src/crypto/secret-box.ts). */
export interface CodeMacs {
  mac(data: string, context: string): string;
  verifyMac(data: string, context: string, mac: string): boolean;
}

const codeContext = (appId: string) => `app:${appId}:mfa:challenge`;

/**
 * What is stored of a challenge's code: HMAC-SHA-256 of the challenge id and the code under
 * the master key, as one-time codes are (otp-code.ts). A 6-digit code has a million values,
 * so no hash of it alone, however slow, holds against one who has the table and the hours;
 * the key, kept out of the database, is what makes a copy of the table useless. A live code
 * is protected online by its minutes of life, single use and the failure limits. The id in
 * the MAC binds the hash to its own challenge. (A salted scrypt was used before: about 27 ms
 * of CPU twice per sign-in for no gain over the key.)
 */
export function hashCode(macs: CodeMacs, appId: string, challengeId: string, code: string): string {
  return macs.mac(`${challengeId}:${code}`, codeContext(appId));
}

/** Whether `code` is the challenge's, the tags compared in constant time (SP 800-63B-4 §3.2.2). */
export function codeMatches(macs: CodeMacs, appId: string, challengeId: string, code: string, stored: string): boolean {
  return macs.verifyMac(`${challengeId}:${code}`, codeContext(appId), stored);
}
