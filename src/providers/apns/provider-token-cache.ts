import type { KeyObject } from 'node:crypto';
import { PROVIDER_TOKEN_MIN_REFRESH, signProviderToken } from '../../protocol/apns/provider-token.ts';

/**
 * s; a token is reused this long. Apple: refresh "no more than once every 20 minutes and
 * no less than once every 60 minutes"; 50 leaves ten minutes for clock skew.
 */
const TOKEN_REUSE = 50 * 60;

export interface ProviderTokenKey {
  keyId: string;
  teamId: string;
  key: KeyObject;
  /** Tells two keys with the same id apart (a key replaced after a mistake). */
  keyFingerprint: string;
}

interface Entry {
  authorization: string;
  issuedAt: number;
  /** Made because APNs refused the one before, not because it was due. */
  forced: boolean;
}

/**
 * One provider token per team key, shared by every app and batch of this process:
 * APNs counts tokens per team, and answers 429 TooManyProviderTokenUpdates to a team
 * that replaces them more often than every 20 minutes.
 */
export class ProviderTokenCache {
  readonly #entries = new Map<string, Entry>();

  /** `bearer <jwt>` for the key, signed when the cached one is due. */
  authorization(k: ProviderTokenKey, nowMs: number): string {
    const id = cacheKey(k);
    const now = Math.floor(nowMs / 1000);
    const cached = this.#entries.get(id);
    if (cached && now - cached.issuedAt < TOKEN_REUSE) return cached.authorization;
    return this.#sign(id, k, now, false);
  }

  /**
   * APNs refused `refused` (ExpiredProviderToken, InvalidProviderToken): replaces it,
   * unless another batch already did, or it was itself a replacement made less than 20
   * minutes ago (a second refusal means the key, not the token, is wrong, and another
   * update would only earn TooManyProviderTokenUpdates). Returns whether a token other
   * than `refused` is now available.
   */
  replaceRefused(k: ProviderTokenKey, refused: string, nowMs: number): boolean {
    const id = cacheKey(k);
    const now = Math.floor(nowMs / 1000);
    const cached = this.#entries.get(id);
    if (cached && cached.authorization !== refused) return true;
    if (cached?.forced && now - cached.issuedAt < PROVIDER_TOKEN_MIN_REFRESH) return false;
    this.#sign(id, k, now, true);
    return true;
  }

  #sign(id: string, k: ProviderTokenKey, now: number, forced: boolean): string {
    const authorization = `bearer ${signProviderToken({ key: k.key, keyId: k.keyId, teamId: k.teamId, issuedAt: now })}`;
    this.#entries.set(id, { authorization, issuedAt: now, forced });
    return authorization;
  }
}

/** Also the connection key: Apple wants one team key per connection. */
export function cacheKey(k: Omit<ProviderTokenKey, 'key'>): string {
  return `${k.teamId}.${k.keyId}.${k.keyFingerprint}`;
}
