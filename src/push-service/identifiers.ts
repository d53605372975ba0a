import { randomBytes } from 'node:crypto';
import { hashKey } from '../crypto/tokens.ts';

/** A new uaid: 128 random bits as 32 hex digits, the form autopush hands out. */
export function newUaid(): string {
  return randomBytes(16).toString('hex');
}

/**
 * What is stored of a uaid, and what it is looked up and routed by: its SHA-256. The
 * uaid is the only credential of a WebSocket (whoever says it in `hello` receives that
 * browser's messages, as in autopush), so a copy of the database or of the logs must not
 * hold it; 128 random bits need no slow hash.
 */
export function hashUaid(uaid: string): string {
  return hashKey(uaid);
}

/**
 * A new endpoint token: 256 random bits. Whoever knows the endpoint can push to the
 * subscription, so the token must be unguessable; it names (uaid, channelID) only
 * through the store.
 */
export function newEndpointToken(): string {
  return randomBytes(32).toString('base64url');
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** True for text shaped like an endpoint token; anything else is 404 without a lookup. */
export function isEndpointToken(text: string): boolean {
  return TOKEN.test(text);
}

/** What is stored of a token: its SHA-256, so a copy of the database cannot push. */
export function hashEndpointToken(token: string): string {
  return hashKey(token);
}

/** A new push message id (128 random bits): the `version` on the socket and the resource in `Location`. */
export function newMessageId(): string {
  return randomBytes(16).toString('base64url');
}

const MESSAGE_ID = /^[A-Za-z0-9_-]{22}$/;

export function isMessageId(text: string): boolean {
  return MESSAGE_ID.test(text);
}
