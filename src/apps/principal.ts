import { constantTimeEqual, hashKey } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';

/** Who is calling: the operator (admin key), or an app's server (secret key) or pages (publishable key). */
export type Principal = { kind: 'admin' } | { kind: 'secret' | 'publishable'; appId: string };

/** Who an API key belongs to, or undefined for an unknown or revoked key. */
export async function authenticate(ctx: Context, key: string): Promise<Principal | undefined> {
  if (ctx.config.adminKey) {
    if (constantTimeEqual(key, ctx.config.adminKey)) return { kind: 'admin' };
  } else {
    const admin = await ctx.store.db.selectFrom('admin_keys').select('key_hash').where('key_hash', '=', hashKey(key)).executeTakeFirst();
    if (admin) return { kind: 'admin' };
  }
  const row = await ctx.store.db
    .selectFrom('api_keys')
    .select(['app_id', 'kind'])
    .where('key_hash', '=', hashKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { kind: row.kind, appId: row.app_id } : undefined;
}
