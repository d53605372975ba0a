/**
 * RFC 8292 Voluntary Application Server Identification (VAPID): ES256 JWTs
 * (RFC 7515, RFC 7519) presented as `Authorization: vapid t=<jwt>, k=<key>`.
 *
 * Pure: the time is always an argument. Signing uses a KeyObject built once
 * (parsing a key per signature costs ~15x the signature itself).
 */
import { createECDH, createPrivateKey, sign, verify, type KeyObject } from 'node:crypto';
import { decodeBase64url, encodeBase64url } from './base64url.ts';
import { VapidAudienceError, VapidKeyError, VapidSubjectError, VapidTokenError } from './errors.ts';
import { P256_PRIVATE_KEY_BYTES, p256PublicKeyObject } from './keys.ts';

/** RFC 8292 §2: exp MUST NOT be more than 24 hours after the request. */
export const MAX_VAPID_EXPIRY_SECONDS = 24 * 60 * 60;

export interface VapidKeys {
  /** base64url of the 65-byte uncompressed P-256 point: the `applicationServerKey`. */
  publicKey: string;
  /** base64url of the 32-byte private scalar. */
  privateKey: string;
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub?: string;
  [claim: string]: unknown;
}

const JWT_HEADER = encodeBase64url(Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })));
const ES256_SIGNATURE_BYTES = 64;

/** Generates an application server key pair (RFC 8292 §3.2 uses P-256). */
export function generateVapidKeys(): VapidKeys {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  // getPrivateKey drops leading zero bytes; the raw scalar is always 32 bytes.
  const privateKey = Buffer.alloc(P256_PRIVATE_KEY_BYTES);
  const scalar = ecdh.getPrivateKey();
  scalar.copy(privateKey, P256_PRIVATE_KEY_BYTES - scalar.length);
  return { publicKey: encodeBase64url(publicKey), privateKey: encodeBase64url(privateKey) };
}

/**
 * Builds the signing key once from the base64url pair, after checking that the
 * public half belongs to the private half (a mismatch would make every push
 * service answer 401/403 with nothing to say why).
 */
export function vapidSigningKey(publicKey: string, privateKey: string): KeyObject {
  let pub: Buffer;
  let priv: Buffer;
  try {
    pub = decodeBase64url(publicKey);
    priv = decodeBase64url(privateKey);
  } catch (cause) {
    throw new VapidKeyError('encoding', 'VAPID keys must be base64url', { cause });
  }
  try {
    p256PublicKeyObject(pub);
  } catch (cause) {
    throw new VapidKeyError('not_on_curve', 'the VAPID public key is not an uncompressed P-256 point', { cause });
  }
  if (priv.length !== P256_PRIVATE_KEY_BYTES) {
    throw new VapidKeyError('length', `the VAPID private key must be ${P256_PRIVATE_KEY_BYTES} bytes, got ${priv.length}`);
  }
  let derived: Buffer;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(priv);
    derived = ecdh.getPublicKey();
  } catch (cause) {
    throw new VapidKeyError('format', 'the VAPID private key is not a P-256 scalar', { cause });
  }
  if (!derived.equals(pub)) {
    throw new VapidKeyError('mismatch', 'the VAPID public key does not belong to the private key');
  }
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: encodeBase64url(pub.subarray(1, 33)),
      y: encodeBase64url(pub.subarray(33, 65)),
      d: encodeBase64url(priv),
    },
    format: 'jwk',
  });
}

/** The `aud` for an endpoint: the origin of the push resource (RFC 8292 §2). */
export function vapidAudience(endpoint: string): string {
  return new URL(endpoint).origin;
}

/**
 * Signs a VAPID JWT (RFC 8292 §2) with ES256 (RFC 7518 §3.4: the signature is
 * R || S, 64 bytes, not DER).
 *
 * @example
 *   const key = vapidSigningKey(keys.publicKey, keys.privateKey); // once
 *   const t = signVapidToken({ audience: vapidAudience(endpoint), subject: 'mailto:ops@example.com',
 *     expiresAt: nowSeconds + 12 * 3600, key });
 *   headers.authorization = vapidAuthorization(t, keys.publicKey);
 */
export function signVapidToken(input: {
  audience: string;
  subject: string;
  expiresAt: number;
  key: KeyObject;
}): string {
  let origin: string;
  try {
    origin = new URL(input.audience).origin;
  } catch {
    throw new VapidAudienceError(`audience ${JSON.stringify(input.audience)} is not a URL origin`);
  }
  if (origin !== input.audience) {
    throw new VapidAudienceError(`audience must be an origin such as ${origin}, got ${JSON.stringify(input.audience)}`);
  }
  if (!Number.isSafeInteger(input.expiresAt) || input.expiresAt <= 0) {
    throw new VapidTokenError('format', 'expiresAt must be a positive integer of Unix seconds');
  }
  const claims = encodeBase64url(
    Buffer.from(JSON.stringify({ aud: input.audience, exp: input.expiresAt, sub: input.subject })),
  );
  const signingInput = `${JWT_HEADER}.${claims}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: input.key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${encodeBase64url(signature)}`;
}

/** RFC 8292 §3: the `vapid` authentication scheme with `t` and `k` parameters. */
export function vapidAuthorization(token: string, publicKey: string): string {
  return `vapid t=${token}, k=${publicKey}`;
}

/**
 * Checks a VAPID `sub` (RFC 8292 §2.1: a `mailto:` or `https:` URI for the
 * operator) and refuses local hosts: Apple's push service answers 403
 * BadJwtToken for them, and they name no one a push service could reach.
 */
export function validateVapidSubject(subject: string): string {
  if (subject.startsWith('mailto:')) {
    const address = subject.slice('mailto:'.length).split('?')[0] ?? '';
    const match = /^[^@\s]+@([^@\s]+)$/.exec(address);
    if (!match?.[1]) {
      throw new VapidSubjectError('format', 'a mailto: subject needs an e-mail address');
    }
    if (isLocalHost(match[1])) {
      throw new VapidSubjectError('localhost', 'the subject e-mail address is at a local host');
    }
    return subject;
  }
  if (subject.startsWith('https:')) {
    let url: URL;
    try {
      url = new URL(subject);
    } catch {
      throw new VapidSubjectError('format', 'the https: subject is not a valid URL');
    }
    if (!url.hostname) {
      throw new VapidSubjectError('format', 'the https: subject has no host');
    }
    if (isLocalHost(url.hostname)) {
      throw new VapidSubjectError('localhost', 'the subject URL is at a local host');
    }
    return subject;
  }
  throw new VapidSubjectError('scheme', 'the subject must be a mailto: or https: URI');
}

function isLocalHost(rawHost: string): boolean {
  let host = rawHost.toLowerCase().replace(/\.$/, '');
  // Address literals: [::1] in URLs, [IPv6:::1] or [127.0.0.1] in e-mail (RFC 5321 §4.1.3).
  host = host.replace(/^\[(ipv6:)?/, '').replace(/\]$/, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') || // RFC 6761 §6.3
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '::1' ||
    host === '0:0:0:0:0:0:0:1' ||
    /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host) // IPv4-mapped loopback, as WHATWG URL prints it
  );
}

/** Splits `vapid t=..., k=...` (RFC 8292 §3; parameters per RFC 9110 §11.2). */
export function parseVapidAuthorization(header: string): { token: string; publicKey: string } {
  const match = /^vapid\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) {
    throw new VapidTokenError('format', 'Authorization does not use the vapid scheme');
  }
  const params = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) throw new VapidTokenError('format', 'malformed vapid parameter');
    const name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(name, value);
  }
  const token = params.get('t');
  const publicKey = params.get('k');
  if (!token || !publicKey) {
    throw new VapidTokenError('format', 'the vapid scheme needs both t and k parameters');
  }
  return { token, publicKey };
}

/**
 * Verifies an `Authorization: vapid` header as a push service does (RFC 8292
 * §4): signature by `k`, `aud` equal to the push service's origin, `exp` in the
 * future but no more than 24 hours ahead, and, for a restricted subscription
 * (RFC 8292 §4.2), `k` equal to the key it was created with.
 */
export function verifyVapidAuthorization(
  header: string,
  options: { audience: string; now: number; expectedPublicKey?: string },
): { publicKey: string; claims: VapidClaims } {
  // A sender signs one token for many pushes (hours of them): a header verified before
  // for this audience needs only the checks that depend on the request, not the key
  // import and signature again. Its exp is checked against `now` on every use.
  const cacheKey = `${options.audience} ${header}`;
  const known = VERIFIED.get(cacheKey);
  if (known) {
    if (options.expectedPublicKey !== undefined && options.expectedPublicKey !== known.publicKey) {
      let expected: Buffer | undefined;
      try {
        expected = decodeBase64url(options.expectedPublicKey);
      } catch {
        expected = undefined;
      }
      if (!expected?.equals(known.point)) throw new VapidTokenError('key_mismatch', 'k is not the key the subscription was created with');
    }
    if (options.now >= known.claims.exp) throw new VapidTokenError('expired', `the JWT expired at ${known.claims.exp}`);
    if (known.claims.exp > options.now + MAX_VAPID_EXPIRY_SECONDS) throw new VapidTokenError('expiry_too_far', 'exp is more than 24 hours ahead (RFC 8292 §2)');
    return { publicKey: known.publicKey, claims: known.claims };
  }
  const verified = verifyUncached(header, options);
  VERIFIED.set(cacheKey, { ...verified, point: decodeBase64url(verified.publicKey) });
  if (VERIFIED.size > VERIFIED_KEPT) VERIFIED.delete(VERIFIED.keys().next().value!);
  return verified;
}

/** Headers that verified, by audience and header, oldest out first (one per sender key and push service, typically). */
const VERIFIED = new Map<string, { publicKey: string; point: Buffer; claims: VapidClaims }>();
const VERIFIED_KEPT = 1024;

function verifyUncached(
  header: string,
  options: { audience: string; now: number; expectedPublicKey?: string },
): { publicKey: string; claims: VapidClaims } {
  const { token, publicKey } = parseVapidAuthorization(header);
  let point: Buffer;
  let key: KeyObject;
  try {
    point = decodeBase64url(publicKey);
    key = p256PublicKeyObject(point);
  } catch (cause) {
    throw new VapidTokenError('key', 'k is not a P-256 public key', { cause });
  }
  if (options.expectedPublicKey !== undefined) {
    let expected: Buffer | undefined;
    try {
      expected = decodeBase64url(options.expectedPublicKey);
    } catch {
      expected = undefined;
    }
    if (!expected?.equals(point)) {
      throw new VapidTokenError('key_mismatch', 'k is not the key the subscription was created with');
    }
  }

  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new VapidTokenError('format', 't is not a compact JWS');
  }
  const [encodedHeader = '', encodedClaims = '', encodedSignature = ''] = parts;
  const jwsHeader = decodeJsonSegment(encodedHeader, 'header');
  if (jwsHeader.alg !== 'ES256') {
    throw new VapidTokenError('algorithm', `alg must be ES256, got ${JSON.stringify(jwsHeader.alg)}`);
  }
  const claims = decodeJsonSegment(encodedClaims, 'claims');
  let signature: Buffer;
  try {
    signature = decodeBase64url(encodedSignature);
  } catch (cause) {
    throw new VapidTokenError('format', 'the JWT signature is not base64url', { cause });
  }
  const valid =
    signature.length === ES256_SIGNATURE_BYTES &&
    verify('sha256', Buffer.from(`${encodedHeader}.${encodedClaims}`), { key, dsaEncoding: 'ieee-p1363' }, signature);
  if (!valid) {
    throw new VapidTokenError('signature', 'the JWT signature does not verify with k');
  }

  if (claims.aud !== options.audience) {
    throw new VapidTokenError('audience', `aud ${JSON.stringify(claims.aud)} is not ${options.audience}`);
  }
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
    throw new VapidTokenError('format', 'the JWT has no numeric exp claim');
  }
  // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
  if (options.now >= claims.exp) {
    throw new VapidTokenError('expired', `the JWT expired at ${claims.exp}`);
  }
  if (claims.exp > options.now + MAX_VAPID_EXPIRY_SECONDS) {
    throw new VapidTokenError('expiry_too_far', 'exp is more than 24 hours ahead (RFC 8292 §2)');
  }
  if (claims.sub !== undefined && typeof claims.sub !== 'string') {
    throw new VapidTokenError('format', 'sub must be a string');
  }
  return { publicKey, claims: claims as VapidClaims };
}

function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodeBase64url(segment).toString('utf8'));
  } catch (cause) {
    throw new VapidTokenError('format', `the JWT ${what} is not base64url JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VapidTokenError('format', `the JWT ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
