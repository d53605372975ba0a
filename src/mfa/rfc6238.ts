import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * TOTP (RFC 6238) over HOTP (RFC 4226), written out rather than taken from a library so
 * that what a user's code is checked against is here to read; test/mfa/rfc6238.test.ts
 * holds it to RFC 6238 Appendix B and to an independent implementation. The parameters
 * are the ones every authenticator app reads from an otpauth URI: HMAC-SHA-1, 6 digits,
 * 30 s steps from the Unix epoch (T0 = 0).
 */
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;

/** RFC 4226 §5.3: HMAC of the 8-byte big-endian counter, dynamic truncation, mod 10^digits. */
export function hotp(key: Buffer, counter: number, digits = TOTP_DIGITS): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(bin % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 §4.2: the time step of `ms` (T = floor((unix time - T0) / X)). */
export function timeStep(ms: number, period = TOTP_PERIOD): number {
  return Math.floor(ms / 1000 / period);
}

export function totpAt(key: Buffer, ms: number, digits = TOTP_DIGITS): string {
  return hotp(key, timeStep(ms), digits);
}

/**
 * The step `code` belongs to, among now's and one either side (RFC 6238 §5.2: one step
 * back for network delay; one forward for a fast clock), or undefined. Every candidate is
 * computed and compared in constant time, so the time taken does not say which matched.
 */
export function matchingStep(key: Buffer, code: string, ms: number): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const now = timeStep(ms);
  let found: number | undefined;
  for (const step of [now - 1, now, now + 1]) {
    if (timingSafeEqual(Buffer.from(hotp(key, step)), Buffer.from(code)) && found === undefined) found = step;
  }
  return found;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32, without padding (as otpauth URIs carry secrets). */
export function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function fromBase32(text: string): Buffer {
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error('not base32');
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/**
 * The otpauth URI an authenticator app reads from a QR code (the Key Uri Format of Google
 * Authenticator, which the others follow): `otpauth://totp/Issuer:account?secret=…`.
 */
export function otpauthUri(secret: string, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  // encodeURIComponent, not URLSearchParams: a space must be %20, as "+" is read literally by authenticator apps.
  const query = Object.entries({ secret, issuer, algorithm: 'SHA1', digits: String(TOTP_DIGITS), period: String(TOTP_PERIOD) }).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `otpauth://totp/${label}?${query}`;
}
