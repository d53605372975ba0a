import { parseAuthSecret, parseP256PublicKey } from '../protocol/webpush/keys.ts';
import { checkEndpointUrl } from '../transport/endpoint-url.ts';
import { ApiError } from '../errors/api-error.ts';
import { newId } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import type { SubscriptionsTable } from '../store/schema.ts';
import { decodeCursor, encodeCursor } from '../http/cursor.ts';

export const CHANNELS = ['webpush'] as const;

export interface SubscriptionInput {
  channel: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  userId?: string;
  tags?: Record<string, string>;
  language?: string;
  timezone?: string;
}

export interface SubscriptionView {
  id: string;
  channel: string;
  endpoint: string;
  userId: string | null;
  tags: Record<string, string>;
  language: string | null;
  timezone: string | null;
  createdAt: string;
  updatedAt: string;
}

function view(row: Omit<SubscriptionsTable, 'seq' | 'app_id' | 'p256dh' | 'auth'>): SubscriptionView {
  return {
    id: row.id,
    channel: row.channel,
    endpoint: row.endpoint,
    userId: row.user_id,
    tags: JSON.parse(row.tags),
    language: row.language,
    timezone: row.timezone,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function validate(ctx: Context, input: SubscriptionInput): void {
  if (!(CHANNELS as readonly string[]).includes(input.channel)) {
    throw new ApiError('unsupported_channel', `channel "${input.channel}" is not supported; use one of: ${CHANNELS.join(', ')}`);
  }
  try {
    parseP256PublicKey(input.keys.p256dh);
  } catch (err) {
    throw new ApiError('invalid_subscription_keys', `keys.p256dh: ${(err as Error).message}`);
  }
  try {
    parseAuthSecret(input.keys.auth);
  } catch (err) {
    throw new ApiError('invalid_subscription_keys', `keys.auth: ${(err as Error).message}`);
  }
  try {
    checkEndpointUrl(input.endpoint, { allowPrivate: ctx.config.allowPrivateEndpoints });
  } catch (err) {
    throw new ApiError('endpoint_rejected', `endpoint: ${(err as Error).message}`, { reason: (err as { reason?: string }).reason });
  }
  if (input.timezone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: input.timezone });
    } catch {
      throw new ApiError('invalid_request', `timezone: "${input.timezone}" is not an IANA time zone`);
    }
  }
}

/**
 * Creates a subscription, or updates the one with the same endpoint: a browser that
 * subscribes again (new keys, a user id after sign-in) must not be counted twice.
 */
export async function upsertSubscription(ctx: Context, appId: string, input: SubscriptionInput): Promise<{ id: string; created: boolean }> {
  validate(ctx, input);
  const now = ctx.now();
  const tags = input.tags ?? {};
  return ctx.store.db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom('subscriptions').select(['seq', 'id']).where('app_id', '=', appId).where('endpoint', '=', input.endpoint).executeTakeFirst();
    const fields = {
      channel: input.channel,
      p256dh: input.keys.p256dh,
      auth: input.keys.auth,
      user_id: input.userId ?? null,
      tags: JSON.stringify(tags),
      language: input.language ?? null,
      timezone: input.timezone ?? null,
      updated_at: now,
    };
    let seq: number;
    let id: string;
    if (existing) {
      ({ seq, id } = existing);
      await tx.updateTable('subscriptions').set(fields).where('seq', '=', seq).execute();
      await tx.deleteFrom('subscription_tags').where('subscription_seq', '=', seq).execute();
    } else {
      id = newId('sub');
      const row = await tx
        .insertInto('subscriptions')
        .values({ id, app_id: appId, endpoint: input.endpoint, created_at: now, ...fields })
        .returning('seq')
        .executeTakeFirstOrThrow();
      seq = Number(row.seq);
    }
    const entries = Object.entries(tags);
    if (entries.length > 0) {
      await tx.insertInto('subscription_tags').values(entries.map(([key, value]) => ({ subscription_seq: seq, app_id: appId, key, value }))).execute();
    }
    return { id, created: !existing };
  });
}

const COLUMNS = ['id', 'channel', 'endpoint', 'user_id', 'tags', 'language', 'timezone', 'created_at', 'updated_at'] as const;

export async function getSubscription(ctx: Context, appId: string, id: string): Promise<SubscriptionView> {
  const row = await ctx.store.db.selectFrom('subscriptions').select(COLUMNS).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('subscription_not_found', `No subscription ${id} in this app`);
  return view(row);
}

export async function deleteSubscription(ctx: Context, appId: string, id: string): Promise<void> {
  const res = await ctx.store.db.deleteFrom('subscriptions').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (Number(res.numDeletedRows) === 0) throw new ApiError('subscription_not_found', `No subscription ${id} in this app`);
}

/** One page in creation order; `next` is an opaque cursor for the page after, absent on the last. */
export async function listSubscriptions(
  ctx: Context,
  appId: string,
  opts: { limit: number; cursor?: string; userId?: string },
): Promise<{ data: SubscriptionView[]; next: string | null }> {
  const after = opts.cursor ? decodeCursor(opts.cursor) : 0;
  let q = ctx.store.db.selectFrom('subscriptions').select([...COLUMNS, 'seq']).where('app_id', '=', appId).where('seq', '>', after);
  if (opts.userId !== undefined) q = q.where('user_id', '=', opts.userId);
  const rows = await q.orderBy('seq').limit(opts.limit + 1).execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { data: page.map(view), next: rows.length > opts.limit && last ? encodeCursor(Number(last.seq)) : null };
}
