import type { KeyObject } from 'node:crypto';
import { signVapidToken, vapidAuthorization } from '../../protocol/webpush/vapid.ts';

/** s; tokens live 12 h: well inside RFC 8292's 24 h bound, so clock skew does not matter. */
const TOKEN_LIFETIME = 12 * 3600;
/** s; a token is replaced this long before it expires, so none is sent about to lapse. */
const REFRESH_MARGIN = 3600;

/**
 * One VAPID Authorization value per push service origin, signed once and reused until
 * near expiry: signing per message is what makes the web-push package slow.
 */
export class VapidTokenCache {
  readonly #tokens = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    private readonly key: KeyObject,
    private readonly publicKey: string,
    private readonly subject: string,
  ) {}

  authorization(endpoint: string, nowMs: number): string {
    const audience = new URL(endpoint).origin;
    const now = Math.floor(nowMs / 1000);
    const cached = this.#tokens.get(audience);
    if (cached && cached.expiresAt - REFRESH_MARGIN > now) return cached.value;
    const expiresAt = now + TOKEN_LIFETIME;
    const token = signVapidToken({ audience, subject: this.subject, expiresAt, key: this.key });
    const value = vapidAuthorization(token, this.publicKey);
    this.#tokens.set(audience, { value, expiresAt });
    return value;
  }
}
