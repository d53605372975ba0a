import { ApiError } from '../errors/api-error.ts';
import { hashKey, newApiKey, newId } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import type { ApiKeysTable } from '../store/schema.ts';

/**
 * An app's API keys as its owner sees them: never the key, only its first characters
 * (`prefix`) to tell it from the others. Keys are stored as their SHA-256 (src/crypto/tokens.ts),
 * so a key is shown once, when it is made.
 */
export interface ApiKeyView {
  id: string;
  kind: 'secret' | 'publishable';
  prefix: string;
  name: string | null;
  createdAt: string;
  /** To the minute (src/apps/principal.ts); null for a key never used. */
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKeyView {
  /** The key itself; shown once. */
  key: string;
}

/** How many characters of a key are kept in clear: `crl_sk_` and five random ones (30 bits), enough to recognise it, far from enough to guess it. */
export const KEY_PREFIX_LENGTH = 12;

type KeyRow = Pick<ApiKeysTable, 'id' | 'kind' | 'prefix' | 'name' | 'created_at' | 'last_used_at' | 'revoked_at'>;
const KEY_COLUMNS = ['id', 'kind', 'prefix', 'name', 'created_at', 'last_used_at', 'revoked_at'] as const;

const iso = (t: number | null) => (t === null ? null : new Date(Number(t)).toISOString());

function keyView(row: KeyRow): ApiKeyView {
  return { id: row.id, kind: row.kind, prefix: row.prefix, name: row.name, createdAt: iso(row.created_at)!, lastUsedAt: iso(row.last_used_at), revokedAt: iso(row.revoked_at) };
}

async function requireApp(ctx: Context, appId: string): Promise<void> {
  const app = await ctx.store.db.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst();
  if (!app) throw new ApiError('app_not_found', `No app with id ${appId}`);
}

/** Every key of the app, revoked ones included (they say when), oldest first. */
export async function listApiKeys(ctx: Context, appId: string): Promise<ApiKeyView[]> {
  await requireApp(ctx, appId);
  const rows = await ctx.store.db.selectFrom('api_keys').select(KEY_COLUMNS).where('app_id', '=', appId).orderBy('created_at').orderBy('id').execute();
  return rows.map(keyView);
}

/** A new key of the app; the answer is the only time the key is seen. */
export async function createApiKey(ctx: Context, appId: string, input: { kind: 'secret' | 'publishable'; name?: string }): Promise<CreatedApiKey> {
  await requireApp(ctx, appId);
  const key = newApiKey(input.kind);
  const row = { id: newId('key'), app_id: appId, kind: input.kind, key_hash: hashKey(key), prefix: key.slice(0, KEY_PREFIX_LENGTH), name: input.name ?? null, created_at: ctx.now(), last_used_at: null, revoked_at: null };
  await ctx.store.db.insertInto('api_keys').values(row).execute();
  return { ...keyView(row), key };
}

/**
 * Revokes a key: the next request with it is refused (keys are not cached,
 * src/apps/principal.ts). Revoking a revoked key changes nothing. The app's last secret key
 * is kept (`last_secret_key`): without one, only the admin key could manage the app again.
 */
export async function revokeApiKey(ctx: Context, appId: string, keyId: string): Promise<ApiKeyView> {
  const { store } = ctx;
  return store.db.transaction().execute(async (tx) => {
    // Two secret keys revoked at the same moment must not each count the other as the one
    // kept: PostgreSQL locks the app's row; SQLite runs one write transaction at a time.
    const app = await (store.caps.supportsSkipLocked ? tx.selectFrom('apps').select('id').where('id', '=', appId).forUpdate() : tx.selectFrom('apps').select('id').where('id', '=', appId)).executeTakeFirst();
    if (!app) throw new ApiError('app_not_found', `No app with id ${appId}`);
    const row = await tx.selectFrom('api_keys').select(KEY_COLUMNS).where('app_id', '=', appId).where('id', '=', keyId).executeTakeFirst();
    if (!row) throw new ApiError('api_key_not_found', `No API key with id ${keyId} in this app`);
    if (row.revoked_at !== null) return keyView(row);
    if (row.kind === 'secret') {
      const others = await tx
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('app_id', '=', appId)
        .where('kind', '=', 'secret')
        .where('revoked_at', 'is', null)
        .where('id', '<>', keyId)
        .executeTakeFirstOrThrow();
      if (Number(others.n) === 0) throw new ApiError('last_secret_key', 'This is the app’s last secret key: create another one before revoking it');
    }
    const revokedAt = ctx.now();
    await tx.updateTable('api_keys').set({ revoked_at: revokedAt }).where('id', '=', keyId).execute();
    return keyView({ ...row, revoked_at: revokedAt });
  });
}
