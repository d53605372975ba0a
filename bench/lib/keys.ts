/**
 * Subscription keys for the bench: real P-256 public keys (RFC 8291 §3.1 needs a point
 * on the curve for the ECDH) and a distinct 16-byte auth secret per subscription.
 *
 * A fresh key pair per subscription would make seeding 1M subscriptions a minute of key
 * generation, so the bench makes KEY_POOL_SIZE distinct pairs and cycles through them.
 * That changes no cost on the sending side: every message still gets a fresh ephemeral
 * key and a full ECDH, whoever the recipient is.
 */
import { createECDH, randomBytes } from 'node:crypto';

export const KEY_POOL_SIZE = 2_000;

export interface BrowserKeys {
  p256dh: string;
  auth: string;
}

export function p256KeyPool(size = KEY_POOL_SIZE): string[] {
  const pool: string[] = [];
  const ecdh = createECDH('prime256v1');
  for (let i = 0; i < size; i++) pool.push(ecdh.generateKeys().toString('base64url'));
  return pool;
}

export function browserKeys(pool: string[], i: number): BrowserKeys {
  return { p256dh: pool[i % pool.length]!, auth: randomBytes(16).toString('base64url') };
}
