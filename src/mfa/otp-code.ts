import { randomInt } from 'node:crypto';
import type { CodeMacs as Macs } from './secrets.ts';

/**
 * A code of `digits` decimal digits from the CSPRNG, each value equally likely: randomInt
 * draws by rejection, so there is no modulo bias (SP 800-63B-4 §3.1.3: at least 6 digits
 * from an approved random bit generator).
 */
export function newOtpCode(digits: number): string {
  return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
}

const macContext = (appId: string) => `app:${appId}:mfa:otp`;

/**
 * What is stored of a code: HMAC-SHA-256 of the OTP's id and the code under the master
 * key. A 6-8 digit code has at most 10^8 values, so no hash of it alone could hold against
 * someone with the table; the key keeps a copy of the database without the master key from
 * giving the code. What protects a live code is the attempt limit (otpAttempts, then the
 * code is burnt) and its lifetime of minutes, not the hash: an online guesser has at most
 * otpAttempts tries in 10^6 and fewer across the user's factors. The id in the MAC binds a
 * stored hash to its own OTP.
 */
export function hashOtpCode(macs: Macs, appId: string, otpId: string, code: string): string {
  return macs.mac(`${otpId}:${code}`, macContext(appId));
}

/** Whether `code` is the OTP's: the tag compared in constant time (verifyMac, timingSafeEqual). */
export function otpCodeMatches(macs: Macs, appId: string, otpId: string, code: string, stored: string): boolean {
  return macs.verifyMac(`${otpId}:${code}`, macContext(appId), stored);
}
