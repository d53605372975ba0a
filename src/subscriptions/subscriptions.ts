import { ApiError } from '../errors/api-error.ts';
import { newId } from '../crypto/tokens.ts';
import type { Context } from '../context.ts';
import type { Transaction } from 'kysely';
import type { Database, SubscriptionsTable } from '../store/schema.ts';
import { decodeCursor, encodeCursor } from '../store/cursor.ts';
import { CHANNELS } from '../providers/registry.ts';
import { normalizeEndpoint } from '../transport/endpoint-url.ts';
import type { Channel, ChannelAddress } from '../providers/channel.ts';
import type { SubscriptionInput } from './subscription-input.ts';
import { ensureUser } from '../audience/users/ensure-user.ts';
import { appendActivity } from '../store/activity-log.ts';

export interface SubscriptionView {
  id: string;
  channel: string;
  userId: string | null;
  tags: Record<string, string>;
  language: string | null;
  timezone: string | null;
  createdAt: string;
  updatedAt: string;
  [channelField: string]: unknown;
}

type StoredRow = Omit<SubscriptionsTable, 'seq' | 'app_id' | 'user_seq'>;

function view(row: StoredRow): SubscriptionView {
  const channel = CHANNELS.get(row.channel);
  const address: ChannelAddress = { address: row.address, p256dh: row.p256dh, auth: row.auth, environment: row.environment, appTopic: row.app_topic };
  return {
    id: row.id,
    channel: row.channel,
    ...(channel ? channel.view(address) : {}),
    userId: row.user_id,
    tags: JSON.parse(row.tags),
    language: row.language,
    timezone: row.timezone,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function channelOf(name: string): Channel {
  const channel = CHANNELS.get(name);
  if (!channel) throw new ApiError('unsupported_channel', `channel "${name}" is not supported; use one of: ${[...CHANNELS.keys()].join(', ')}`);
  return channel;
}

/**
 * The channel a request names, or the one its shape shows: a browser's
 * `PushSubscription.toJSON()` ({endpoint, expirationTime, keys}) is Web Push, so a site
 * that posts it as it is (the README's first step without the SDK) is understood.
 */
function channelFor(input: SubscriptionInput): string {
  if (input.channel !== undefined) return input.channel;
  if (input.endpoint !== undefined) return 'webpush';
  throw new ApiError('invalid_request', 'channel is required (webpush, apns or fcm) unless the body is a PushSubscription.toJSON()', {
    errors: [{ pointer: '#/channel', field: 'body.channel', detail: 'is required', message: 'is required' }],
  });
}

function checkTimezone(timezone: string | null | undefined): void {
  if (!timezone) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new ApiError('invalid_request', `timezone: "${timezone}" is not an IANA time zone`);
  }
}

/**
 * Creates a subscription, or updates the one with the same address on the same channel:
 * a browser or device that subscribes again (new keys, a user id after sign-in) must not
 * be counted twice. With `tx` it is written in the caller's transaction, which then
 * commits or rolls back with it (no retry: a conflict there fails the caller's transaction).
 */
export async function upsertSubscription(ctx: Context, appId: string, input: SubscriptionInput, tx?: Transaction<Database>): Promise<{ id: string; created: boolean }> {
  const channel = channelFor(input);
  // One endpoint, one form, whatever case or default port the client wrote it with: it is
  // stored and looked up normalised, so it cannot make a second subscription.
  if (typeof input.endpoint === 'string') input = { ...input, endpoint: normalizeEndpoint(input.endpoint) };
  const address = channelOf(channel).parseSubscription(input, ctx.config);
  checkTimezone(input.timezone);
  const now = ctx.now();
  if (tx) return upsertOnce(ctx, appId, channel, input, address, now, tx);
  try {
    return await upsertOnce(ctx, appId, channel, input, address, now);
  } catch (err) {
    // Two registrations of one address at once (two tabs): the unique index let one insert
    // in; the other finds that row on a second look and updates it.
    if (!isUniqueViolation(err)) throw err;
    return upsertOnce(ctx, appId, channel, input, address, now);
  }
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | undefined;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** The shared fields the request carries (absent ones are not touched on an update). */
function carried(input: SubscriptionInput) {
  return {
    ...(input.userId !== undefined ? { user_id: input.userId } : {}),
    ...(input.tags !== undefined ? { tags: JSON.stringify(input.tags) } : {}),
    ...(input.language !== undefined ? { language: input.language } : {}),
    ...(input.timezone !== undefined ? { timezone: input.timezone } : {}),
  };
}

async function upsertOnce(ctx: Context, appId: string, channel: string, input: SubscriptionInput, address: ChannelAddress, now: number, outer?: Transaction<Database>): Promise<{ id: string; created: boolean }> {
  const write = async (tx: Transaction<Database>): Promise<{ id: string; created: boolean }> => {
    const existing = await tx
      .selectFrom('subscriptions')
      .select(['seq', 'id'])
      .where('app_id', '=', appId)
      .where('channel', '=', channel)
      .where('address', '=', address.address)
      .executeTakeFirst();
    // The channel's address and keys always come with the request (they are the subscription).
    const fields = { p256dh: address.p256dh, auth: address.auth, environment: address.environment, app_topic: address.appTopic, updated_at: now, ...carried(input) };
    // A subscription with a user id belongs to that user, created on first sight in the
    // same transaction: segments and the users routes find everyone a send can reach. Made
    // before the subscription is written, whose user_seq the database then finds (migration
    // 023), also when another transaction makes the same user at once.
    if (typeof input.userId === 'string') await ensureUser(tx, ctx.store.caps, appId, input.userId, now);
    let seq: number;
    let id: string;
    if (existing) {
      ({ seq, id } = existing);
      await tx.updateTable('subscriptions').set(fields).where('seq', '=', seq).execute();
      if (input.tags !== undefined) await tx.deleteFrom('subscription_tags').where('subscription_seq', '=', seq).execute();
    } else {
      id = newId('sub');
      const row = await tx
        .insertInto('subscriptions')
        .values({ id, app_id: appId, channel, address: address.address, created_at: now, user_id: null, tags: '{}', language: null, timezone: null, ...fields })
        .returning('seq')
        .executeTakeFirstOrThrow();
      seq = Number(row.seq);
    }
    const entries = Object.entries(input.tags ?? {});
    if (entries.length > 0) {
      await tx.insertInto('subscription_tags').values(entries.map(([key, value]) => ({ subscription_seq: seq, app_id: appId, key, value }))).execute();
    }
    // A new subscription is an opt-in, logged with it (docs/analytics.md).
    if (!existing) await appendActivity(tx, [{ appId, type: 'opted_in', at: now, channel, subscriptionId: id, userId: typeof input.userId === 'string' ? input.userId : null }]);
    return { id, created: !existing };
  };
  return outer ? write(outer) : ctx.store.db.transaction().execute(write);
}

const COLUMNS = ['id', 'channel', 'address', 'p256dh', 'auth', 'environment', 'app_topic', 'user_id', 'tags', 'language', 'timezone', 'created_at', 'updated_at'] as const;

export async function getSubscription(ctx: Context, appId: string, id: string): Promise<SubscriptionView> {
  const row = await ctx.store.db.selectFrom('subscriptions').select(COLUMNS).where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  if (!row) throw new ApiError('subscription_not_found', `No subscription ${id} in this app`);
  return view(row);
}

export async function deleteSubscription(ctx: Context, appId: string, id: string): Promise<void> {
  const found = await ctx.store.db.transaction().execute(async (tx) => {
    const deleted = await tx.deleteFrom('subscriptions').where('app_id', '=', appId).where('id', '=', id).returning(['channel', 'user_id']).executeTakeFirst();
    // Unsubscribing is an opt-out, logged with the deletion (docs/analytics.md).
    if (deleted) await appendActivity(tx, [{ appId, type: 'opted_out', at: ctx.now(), channel: deleted.channel, subscriptionId: id, userId: deleted.user_id, data: { reason: 'unsubscribed' } }]);
    return deleted !== undefined;
  });
  if (!found) throw new ApiError('subscription_not_found', `No subscription ${id} in this app`);
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
