import { constantTimeEqual, hashKey } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import { prepared } from '../store/prepared.ts';

/** Who is calling: the operator (admin key), or an app's server (secret key) or pages (publishable key). */
export type Principal = { kind: 'admin' } | { kind: 'secret' | 'publishable'; appId: string };

/**
 * How stale a key's `last_used_at` may get: it is written when it is older than this, so a
 * busy key costs one write a minute, not one a request, and every process agrees on it (the
 * write is conditional on the stored value).
 */
export const LAST_USED_RESOLUTION = 60_000; // ms

/**
 * Who an API key belongs to, or undefined for an unknown or revoked key. Keys are read from
 * the database on every request, never cached: a key revoked on one process is refused by
 * every process from the next request on.
 */
export async function authenticate(ctx: Context, key: string): Promise<Principal | undefined> {
  if (ctx.config.adminKey) {
    if (constantTimeEqual(key, ctx.config.adminKey)) return { kind: 'admin' };
  } else {
    const admin = await ctx.store.db.selectFrom('admin_keys').select('key_hash').where('key_hash', '=', hashKey(key)).executeTakeFirst();
    if (admin) return { kind: 'admin' };
  }
  const row = await liveKey.first(ctx.store.db, { keyHash: hashKey(key) });
  if (!row) return undefined;
  const now = ctx.now();
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION) await noteUse(ctx, row.id, now);
  return { kind: row.kind, appId: row.app_id };
}

const liveKey = prepared((db, $: { keyHash: string }) => db.selectFrom('api_keys').select(['id', 'app_id', 'kind', 'last_used_at']).where('key_hash', '=', $.keyHash).where('revoked_at', 'is', null));

/** Records a key's use; another process that wrote it meanwhile makes this a no-op. */
async function noteUse(ctx: Context, id: string, now: number): Promise<void> {
  try {
    await ctx.store.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', now - LAST_USED_RESOLUTION)]))
      .execute();
  } catch (err) {
    // The last use is a hint for people; a failed write must not refuse the request.
    ctx.logger.warn({ err, keyId: id }, 'could not record the last use of an API key');
  }
}
