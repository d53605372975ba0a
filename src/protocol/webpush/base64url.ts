import { InvalidBase64urlError } from './errors.ts';

// RFC 4648 §5: the URL and filename safe alphabet.
const ALPHABET = /^[A-Za-z0-9_-]*$/;

/** Encodes bytes as base64url without padding, the form Web Push uses everywhere. */
export function encodeBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decodes base64url, with or without `=` padding.
 *
 * Node's own decoder skips characters it does not know, so `'ab+c'` or `'a b'`
 * would silently lose bits; keys and secrets arrive from browsers and API
 * clients, so anything outside the alphabet is refused instead. Non-canonical
 * text (non-zero pad bits, RFC 4648 §3.5) is refused too, so that one byte
 * string has one spelling and stored keys compare equal.
 *
 * @example decodeBase64url('BTBZMqHH6r4Tts7J_aSIgg') // 16 bytes
 */
export function decodeBase64url(text: string): Buffer {
  let body = text;
  const padAt = text.indexOf('=');
  if (padAt !== -1) {
    body = text.slice(0, padAt);
    const padding = text.slice(padAt);
    // RFC 4648 §3.2: padding only fills the last quantum up to 4 characters.
    if (!/^={1,2}$/.test(padding) || text.length % 4 !== 0) {
      throw new InvalidBase64urlError('base64url padding is malformed');
    }
  }
  if (!ALPHABET.test(body)) {
    throw new InvalidBase64urlError('text contains characters outside the base64url alphabet');
  }
  if (body.length % 4 === 1) {
    throw new InvalidBase64urlError('base64url text has an impossible length');
  }
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.toString('base64url') !== body) {
    throw new InvalidBase64urlError('base64url text is not canonical (non-zero pad bits)');
  }
  return bytes;
}
