import { generateVapidKeys, validateVapidSubject } from '../protocol/webpush/vapid.ts';
import { ApiError } from '../errors/api-error.ts';
import { fromProtocolError } from '../errors/protocol-errors.ts';
import { hashKey, newApiKey, newId } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import type { AppsTable } from '../store/schema.ts';
import { vapidContext } from '../providers/webpush/vapid-source.ts';
import { identityContext, newIdentitySecret } from './identity.ts';
import { parseAppCategories } from './categories.ts';

export interface CreatedApp {
  id: string;
  name: string;
  vapidPublicKey: string;
  vapidSubject: string;
  /** Server-side key: can do everything for this app. Shown once. */
  secretKey: string;
  /** Browser-side key: only subscriptions and events. */
  publishableKey: string;
  /** The key the site's server hashes user ids with (src/apps/identity.ts). Shown once. */
  identitySecret: string;
  identityVerification: boolean;
  /** None yet: declared with PATCH /v1/apps/{appId} (src/apps/categories.ts). */
  categories: string[];
  createdAt: string;
}

export async function createApp(ctx: Context, input: { name: string; vapidSubject?: string; identityVerification?: boolean }): Promise<CreatedApp> {
  const subject = input.vapidSubject ?? ctx.config.vapidSubject;
  try {
    validateVapidSubject(subject);
  } catch (err) {
    throw fromProtocolError(err);
  }
  const id = newId('app');
  const keys = generateVapidKeys();
  const secretKey = newApiKey('secret');
  const publishableKey = newApiKey('publishable');
  const identitySecret = newIdentitySecret();
  // On unless asked otherwise: the publishable key is public, and a user id it sets unproven
  // would let anyone receive another user's notifications.
  const identityVerification = input.identityVerification ?? true;
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('apps')
      .values({
        id,
        name: input.name,
        vapid_public_key: keys.publicKey,
        vapid_private_key: ctx.secrets.seal(keys.privateKey, vapidContext(id)),
        vapid_subject: subject,
        created_at: now,
        identity_secret: ctx.secrets.seal(identitySecret, identityContext(id)),
        identity_verification: identityVerification ? 1 : 0,
      })
      .execute();
    await tx
      .insertInto('api_keys')
      .values([
        { id: newId('key'), app_id: id, kind: 'secret', key_hash: hashKey(secretKey), prefix: secretKey.slice(0, 12), created_at: now, revoked_at: null },
        { id: newId('key'), app_id: id, kind: 'publishable', key_hash: hashKey(publishableKey), prefix: publishableKey.slice(0, 12), created_at: now, revoked_at: null },
      ])
      .execute();
  });
  return { id, name: input.name, vapidPublicKey: keys.publicKey, vapidSubject: subject, secretKey, publishableKey, identitySecret, identityVerification, categories: [], createdAt: new Date(now).toISOString() };
}

export interface AppView {
  id: string;
  name: string;
  vapidPublicKey: string;
  vapidSubject: string;
  /** Whether user ids set with the publishable key must come with their hash. */
  identityVerification: boolean;
  /** The app's own notification categories, beside the built-in ones (src/apps/categories.ts). */
  categories: string[];
  createdAt: string;
}

const APP_COLUMNS = ['id', 'name', 'vapid_public_key', 'vapid_subject', 'identity_verification', 'categories', 'created_at'] as const;

function appView(row: Pick<AppsTable, 'id' | 'name' | 'vapid_public_key' | 'vapid_subject' | 'categories' | 'created_at'> & { identity_verification: number }): AppView {
  return {
    id: row.id,
    name: row.name,
    vapidPublicKey: row.vapid_public_key,
    vapidSubject: row.vapid_subject,
    identityVerification: row.identity_verification === 1,
    categories: parseAppCategories(row.categories),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export async function getApp(ctx: Context, id: string): Promise<AppView> {
  const row = await ctx.store.db.selectFrom('apps').select(APP_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('app_not_found', `No app with id ${id}`);
  return appView(row);
}

export async function listApps(ctx: Context): Promise<AppView[]> {
  const rows = await ctx.store.db.selectFrom('apps').select(APP_COLUMNS).orderBy('created_at').execute();
  return rows.map(appView);
}

/**
 * Makes sure an admin key exists. With `CARILLON_ADMIN_KEY` set nothing is stored; else
 * the first start creates one, stores its hash and returns it so it can be printed once.
 */
export async function ensureAdminKey(ctx: Context): Promise<string | undefined> {
  if (ctx.config.adminKey) return undefined;
  const existing = await ctx.store.db.selectFrom('admin_keys').select('key_hash').executeTakeFirst();
  if (existing) return undefined;
  const key = newApiKey('admin');
  await ctx.store.db.insertInto('admin_keys').values({ key_hash: hashKey(key), created_at: ctx.now() }).execute();
  return key;
}
