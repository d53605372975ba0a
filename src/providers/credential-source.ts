import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { SecretUnavailableError, type SecretBox } from '../crypto/secret-box.ts';
import { InvalidApnsKeyError } from '../protocol/apns/errors.ts';
import { InvalidServiceAccountError } from '../protocol/fcm/errors.ts';
import { CredentialsUnusableError } from '../providers/outcome.ts';
import { apnsSigningKey } from '../protocol/apns/provider-token.ts';
import { serviceAccountSigningKey } from '../protocol/fcm/service-account.ts';
import type { ApnsCredentials } from './apns/sender.ts';
import type { FcmCredentials } from './fcm/sender.ts';
import type { Database } from '../store/schema.ts';
import { credentialsContext, type ApnsPublicFields, type CredentialKind, type FcmPublicFields } from './stored-credentials.ts';

interface Cached<T> {
  updatedAt: number;
  value: T;
}

/**
 * The senders' view of stored credentials: read once per batch (one small query, so a
 * key uploaded or replaced through the API is used from the next batch on, in every
 * worker process), opened and parsed only when the stored row changed.
 */
export class CredentialSource {
  readonly #cache = new Map<string, Cached<ApnsCredentials | FcmCredentials>>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly secrets: SecretBox,
  ) {}

  async apns(appId: string): Promise<ApnsCredentials | undefined> {
    return this.#load(appId, 'apns', (fields: ApnsPublicFields, secret) => {
      const key = apnsSigningKey(secret);
      return { ...fields, key, keyFingerprint: fingerprint(key) };
    });
  }

  async fcm(appId: string): Promise<FcmCredentials | undefined> {
    return this.#load(appId, 'fcm', (fields: FcmPublicFields, secret) => {
      const key = serviceAccountSigningKey(secret);
      return { ...fields, key, keyFingerprint: fingerprint(key) };
    });
  }

  async #load<F, T extends ApnsCredentials | FcmCredentials>(appId: string, kind: CredentialKind, open: (fields: F, secret: string) => T): Promise<T | undefined> {
    const id = `${appId} ${kind}`;
    const row = await this.db
      .selectFrom('app_credentials')
      .select(['public_fields', 'sealed', 'updated_at'])
      .where('app_id', '=', appId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    if (!row) {
      this.#cache.delete(id);
      return undefined;
    }
    const updatedAt = Number(row.updated_at);
    const cached = this.#cache.get(id);
    if (cached?.updatedAt === updatedAt) return cached.value as T;
    // A row that does not open (sealed under a master key this process lacks) or does not
    // parse will not on the next attempt either: typed, so the sender fails the
    // recipients at once with the reason instead of retrying them.
    let value: T;
    try {
      value = open(JSON.parse(row.public_fields) as F, this.secrets.open(row.sealed, credentialsContext(appId, kind)));
    } catch (err) {
      if (err instanceof SecretUnavailableError) throw new CredentialsUnusableError(kind, `${kind} credentials: ${err.message}`, { cause: err });
      if (err instanceof InvalidApnsKeyError || err instanceof InvalidServiceAccountError) throw new CredentialsUnusableError(kind, `${kind} credentials: stored key unreadable: ${err.message}`, { cause: err });
      throw err;
    }
    this.#cache.set(id, { updatedAt, value });
    return value;
  }
}

/** Same key, same fingerprint, whichever app uploaded it. */
function fingerprint(key: KeyObject): string {
  return createHash('sha256').update(createPublicKey(key).export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);
}
