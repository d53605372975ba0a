import type { AccessToken } from '../../protocol/fcm/assertion.ts';

/** s; a token is replaced this long before it expires (Google's live an hour), or a tenth of its life if shorter. */
const REFRESH_MARGIN = 300;

export interface AccessTokenKey {
  clientEmail: string;
  privateKeyId: string;
  /**
   * Derived from the key itself: apps that upload the same service account share a token,
   * and one that copies another's client_email and private_key_id without the key does not.
   */
  keyFingerprint: string;
  tokenUri: string;
}

function cacheId(k: AccessTokenKey): string {
  return `${k.clientEmail} ${k.privateKeyId} ${k.keyFingerprint} ${k.tokenUri}`;
}

interface Entry {
  token: string;
  /** ms */
  refreshAt: number;
}

/**
 * One OAuth 2 access token per service account key, reused until shortly before it
 * expires; concurrent batches share one exchange instead of each making their own.
 */
export class AccessTokenCache<K extends AccessTokenKey> {
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Map<string, Promise<string>>();

  constructor(
    private readonly exchange: (key: K) => Promise<AccessToken>,
    private readonly now: () => number,
  ) {}

  get(key: K): Promise<string> {
    const id = cacheId(key);
    const cached = this.#entries.get(id);
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.token);
    let pending = this.#pending.get(id);
    if (!pending) {
      const issuedAt = this.now();
      pending = this.exchange(key)
        .then(({ accessToken, expiresIn }) => {
          const margin = Math.min(REFRESH_MARGIN, expiresIn / 10);
          this.#entries.set(id, { token: accessToken, refreshAt: issuedAt + (expiresIn - margin) * 1000 });
          return accessToken;
        })
        .finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    return pending;
  }

  /** FCM refused `token` (401): the next get() exchanges a new one, unless that already happened. */
  invalidate(key: K, token: string): void {
    const id = cacheId(key);
    if (this.#entries.get(id)?.token === token) this.#entries.delete(id);
  }
}
