import type { Kysely } from 'kysely';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { vapidSigningKey } from '../../protocol/webpush/vapid.ts';
import type { Database } from '../../store/schema.ts';
import { VapidTokenCache } from './vapid-cache.ts';

/** Bound as associated data when an app's VAPID private key is sealed, so a sealed key copied to another app does not open. */
export function vapidContext(appId: string): string {
  return `app:${appId}:vapid`;
}

/**
 * The senders' view of the apps' VAPID keys: each app's private key is opened once per
 * process, and its signer kept with its tokens cached per push service origin.
 */
export function vapidSource(db: Kysely<Database>, secrets: SecretBox): (appId: string) => Promise<VapidTokenCache> {
  // The promise is cached, not the value: batches that start together share one signer
  // (and so one token per push service origin) instead of racing to make their own.
  const vapidCaches = new Map<string, Promise<VapidTokenCache>>();
  return (appId: string): Promise<VapidTokenCache> => {
    let cache = vapidCaches.get(appId);
    if (!cache) {
      cache = (async () => {
        const row = await db.selectFrom('apps').select(['vapid_public_key', 'vapid_private_key', 'vapid_subject']).where('id', '=', appId).executeTakeFirstOrThrow();
        const privateKey = secrets.open(row.vapid_private_key, vapidContext(appId));
        return new VapidTokenCache(vapidSigningKey(row.vapid_public_key, privateKey), row.vapid_public_key, row.vapid_subject);
      })();
      cache.catch(() => vapidCaches.delete(appId));
      vapidCaches.set(appId, cache);
    }
    return cache;
  };
}
