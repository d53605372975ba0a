import { createHmac, randomBytes } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, spec §"Signature
 * scheme"): `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under the secret's
 * bytes, the base64 after `whsec_`. Pure: the id, the time and the secret come in.
 */

export const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 bytes of secret; 32 is HMAC-SHA256's own block-size sweet spot. */
const SECRET_BYTES = 32;

/** A new signing secret, `whsec_` + base64 of 32 random bytes. */
export function generateSecret(random: (n: number) => Buffer = randomBytes): string {
  return SECRET_PREFIX + random(SECRET_BYTES).toString('base64');
}

/** The key bytes of a `whsec_` secret. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret starts with whsec_');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

/** One `v1,` signature of a message. `timestamp` is in seconds, as the header carries it. */
export function sign(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/**
 * The headers of one message. Several secrets (a rotation's grace period) give several
 * signatures, space-delimited, as the spec allows: a receiver accepts any one that verifies.
 */
export function signedHeaders(secrets: readonly string[], id: string, timestampMs: number, body: string): Record<string, string> {
  const timestamp = Math.floor(timestampMs / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => sign(s, id, timestamp, body)).join(' '),
  };
}
