/**
 * Reply tokens: what lets a device post a reply to one thread without an API key
 * (docs/conversations.md#the-reply-token). A token names the app, the notification, the
 * recipient (subscription), the thread and its expiry, and carries a 128-bit HMAC-SHA-256
 * over all five under a key derived from the master key (SecretBox.mac, its context naming
 * the app and the purpose), so it is checked without reading the database, and changing any
 * part of it (another thread's id) breaks the tag:
 *
 *   cr1.<appId>.<notificationId>.<subscriptionId>.<conversationId>.<expiry, unix s>.<tag>
 *
 * Ids are base64url (src/crypto/tokens.ts), so `.` separates them unambiguously.
 */
export interface ReplyTokenMacs {
  mac(data: string, context: string): string;
  verifyMac(data: string, context: string, mac: string): boolean;
}

export interface ReplyClaims {
  appId: string;
  notificationId: string;
  subscriptionId: string;
  conversationId: string;
  /** unix ms from which the token is refused (kept to the whole second before it, never later). */
  expiresAt: number;
}

const VERSION = 'cr1';
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const context = (appId: string) => `app:${appId}:conversation:reply`;

function claimsText(c: ReplyClaims): string {
  return [VERSION, c.appId, c.notificationId, c.subscriptionId, c.conversationId, String(Math.floor(c.expiresAt / 1000))].join('.');
}

/** A token for the thread's recipient. */
export function makeReplyToken(macs: ReplyTokenMacs, claims: ReplyClaims): string {
  const text = claimsText(claims);
  return `${text}.${macs.mac(text, context(claims.appId))}`;
}

export type TokenCheck = { ok: true; claims: ReplyClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/**
 * The token's claims when its tag verifies and it has not expired at `now` (ms). The tag is
 * checked before the expiry is looked at, so an altered expiry reads as a forgery.
 */
export function checkReplyToken(macs: ReplyTokenMacs, token: string, now: number): TokenCheck {
  const parts = token.split('.');
  if (parts.length !== 7 || parts[0] !== VERSION) return { ok: false, reason: 'malformed' };
  const [, appId, notificationId, subscriptionId, conversationId, expiry, tag] = parts as [string, string, string, string, string, string, string];
  if (![appId, notificationId, subscriptionId, conversationId].every((p) => ID.test(p)) || !/^[0-9]{1,12}$/.test(expiry)) return { ok: false, reason: 'malformed' };
  if (!macs.verifyMac(parts.slice(0, 6).join('.'), context(appId), tag)) return { ok: false, reason: 'bad_signature' };
  const expiresAt = Number(expiry) * 1000;
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { appId, notificationId, subscriptionId, conversationId, expiresAt } };
}
