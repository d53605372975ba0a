import type { Transaction } from 'kysely';
import type { Context } from '../../context.ts';
import { ApiError } from '../../errors/api-error.ts';
import { decodeCursor, encodeCursor } from '../../store/cursor.ts';
import type { Database } from '../../store/schema.ts';
import { ensureUser, type UserRow } from './ensure-user.ts';
import { ATTRIBUTE_LIMITS, validateUser, type UserPatch } from './validate-user.ts';
import type { UserInput } from './user-input.ts';

/** A user as the API shows it; times are RFC 3339. */
export interface UserView {
  externalId: string;
  attributes: Record<string, string | number | boolean>;
  language: string | null;
  timezone: string | null;
  country: string | null;
  location: { lat: number; lon: number } | null;
  createdAt: string;
  updatedAt: string;
  lastSeenAt: string | null;
  sessionCount: number;
  /** How many subscriptions carry this user's id. */
  subscriptions: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function userView(row: Omit<UserRow, 'seq' | 'app_id'>, subscriptions: number): UserView {
  return {
    externalId: row.external_id,
    attributes: JSON.parse(row.attributes),
    language: row.language,
    timezone: row.timezone,
    country: row.country,
    location: row.lat === null || row.lon === null ? null : { lat: Number(row.lat), lon: Number(row.lon) },
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    lastSeenAt: iso(row.last_seen_at),
    sessionCount: Number(row.session_count),
    subscriptions,
  };
}

async function subscriptionCount(db: Transaction<Database> | Context['store']['db'], appId: string, externalId: string): Promise<number> {
  const row = await db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', appId).where('user_id', '=', externalId).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Applies a checked patch to a user inside the caller's transaction, creating the user if
 * first seen: the `users` row (with the attributes JSON the API returns) and the typed
 * `user_attributes` rows segments query change together or not at all.
 */
export async function applyPatch(tx: Transaction<Database>, ctx: Context, appId: string, externalId: string, patch: UserPatch, now: number): Promise<UserRow> {
  const row = await ensureUser(tx, ctx.store.caps, appId, externalId, now);
  const attributes: Record<string, unknown> = JSON.parse(row.attributes);
  for (const [key, typed] of patch.attributes) {
    if (typed === null) delete attributes[key];
    else attributes[key] = typed.value;
  }
  if (Object.keys(attributes).length > ATTRIBUTE_LIMITS.maxCount) {
    throw new ApiError('too_many_attributes', `attributes: the user would have ${Object.keys(attributes).length}; at most ${ATTRIBUTE_LIMITS.maxCount}`, {
      errors: [{ pointer: '#/attributes', field: 'body.attributes', detail: `at most ${ATTRIBUTE_LIMITS.maxCount} attributes per user`, message: `at most ${ATTRIBUTE_LIMITS.maxCount} attributes per user` }],
    });
  }
  const set = {
    attributes: JSON.stringify(attributes),
    updated_at: now,
    ...(patch.language !== undefined ? { language: patch.language } : {}),
    ...(patch.timezone !== undefined ? { timezone: patch.timezone } : {}),
    ...(patch.country !== undefined ? { country: patch.country } : {}),
    ...(patch.location !== undefined ? { lat: patch.location?.lat ?? null, lon: patch.location?.lon ?? null } : {}),
  };
  await tx.updateTable('users').set(set).where('seq', '=', row.seq).execute();
  const keys = [...patch.attributes.keys()];
  if (keys.length > 0) {
    await tx.deleteFrom('user_attributes').where('user_seq', '=', row.seq).where('key', 'in', keys).execute();
    const rows = [...patch.attributes].flatMap(([key, t]) => (t === null ? [] : [{ user_seq: row.seq, app_id: appId, key, type: t.type, str: t.str, num: t.num }]));
    if (rows.length > 0) await tx.insertInto('user_attributes').values(rows).execute();
  }
  return { ...row, ...set };
}

/** Create or merge (PUT): absent fields and attribute keys are kept, `null` removes. */
export async function upsertUser(ctx: Context, appId: string, externalId: string, input: Omit<UserInput, 'userIdHash'>): Promise<UserView> {
  const patch = validateUser(input);
  const now = ctx.now();
  return ctx.store.db.transaction().execute(async (tx) => {
    const row = await applyPatch(tx, ctx, appId, externalId, patch, now);
    return userView(row, await subscriptionCount(tx, appId, externalId));
  });
}

export async function getUser(ctx: Context, appId: string, externalId: string): Promise<UserView> {
  const row = await ctx.store.db.selectFrom('users').selectAll().where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst();
  if (!row) throw new ApiError('user_not_found', `No user ${externalId} in this app`);
  return userView({ ...row, session_count: Number(row.session_count) }, await subscriptionCount(ctx.store.db, appId, externalId));
}

/** A session start: the user is seen now, once more (created if first seen). */
export async function recordSession(ctx: Context, appId: string, externalId: string): Promise<void> {
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    const row = await ensureUser(tx, ctx.store.caps, appId, externalId, now);
    await tx
      .updateTable('users')
      .set((eb) => ({ last_seen_at: now, session_count: eb('session_count', '+', 1) }))
      .where('seq', '=', row.seq)
      .execute();
  });
}

/** One page in creation order (keyset on users.seq); `next` is absent on the last page. */
export async function listUsers(ctx: Context, appId: string, opts: { limit: number; cursor?: string }): Promise<{ data: UserView[]; next: string | null }> {
  const after = opts.cursor ? decodeCursor(opts.cursor) : 0;
  const rows = await ctx.store.db
    .selectFrom('users')
    .selectAll('users')
    .select((eb) =>
      eb
        .selectFrom('subscriptions')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('subscriptions.app_id', '=', 'users.app_id')
        .whereRef('subscriptions.user_id', '=', 'users.external_id')
        .as('subscription_count'),
    )
    .where('users.app_id', '=', appId)
    .where('users.seq', '>', after)
    .orderBy('users.seq')
    .limit(opts.limit + 1)
    .execute();
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return {
    data: page.map((r) => userView({ ...r, session_count: Number(r.session_count) }, Number(r.subscription_count ?? 0))),
    next: rows.length > opts.limit && last ? encodeCursor(Number(last.seq)) : null,
  };
}
