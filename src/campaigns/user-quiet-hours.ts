import { Type, type Static } from '@sinclair/typebox';
import { ensureUser } from '../audience/users/ensure-user.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { formatTimeOfDay, QuietHours, validateQuietHours, type QuietWindow } from './timing/index.ts';

/**
 * A user's own quiet hours (`users.quiet_hours`, migration 014): the window of their own
 * clock in which campaign messages are held to its end, replacing the app's window for
 * them (docs/campaigns-timing.md#quiet-hours). Stored as `{"start":"HH:MM","end":"HH:MM"}`,
 * the one spelling, so launches group users by it as text.
 */
export const UserQuietHours = Type.Object(
  { quietHours: Type.Union([QuietHours, Type.Null()], { description: 'the user’s own window, replacing the app’s; null: the app’s applies' }) },
  { additionalProperties: false },
);
export type UserQuietHours = Static<typeof UserQuietHours>;

/** The stored text of a window. */
export function quietHoursText(w: QuietWindow): string {
  return JSON.stringify({ start: formatTimeOfDay(w.start), end: formatTimeOfDay(w.end) });
}

/** The window a stored `users.quiet_hours` holds, or null. Written only by setUserQuietHours, so it is valid. */
export function storedQuietHours(text: string | null): QuietWindow | null {
  return text === null ? null : validateQuietHours(JSON.parse(text));
}

async function appExists(ctx: Context, appId: string): Promise<void> {
  const app = await ctx.store.db.selectFrom('apps').select('id').where('id', '=', appId).executeTakeFirst();
  if (!app) throw new ApiError('app_not_found', `No app with id ${appId}`);
}

/** The user's own window; null for a user who set none (or is not known yet): the app's applies. */
export async function getUserQuietHours(ctx: Context, appId: string, externalId: string): Promise<UserQuietHours> {
  await appExists(ctx, appId);
  const row = await ctx.store.db.selectFrom('users').select('quiet_hours').where('app_id', '=', appId).where('external_id', '=', externalId).executeTakeFirst();
  return view(row?.quiet_hours ?? null);
}

/**
 * Sets (or, with null, removes) the user's own window, creating the user if not known yet.
 * Checked before anything is stored: a malformed window is `invalid_quiet_hours` with a
 * pointer to the member at fault (`#/quietHours/end`).
 */
export async function setUserQuietHours(ctx: Context, appId: string, externalId: string, input: unknown): Promise<UserQuietHours> {
  const text = input === null ? null : quietHoursText(validateQuietHours(input, '/quietHours'));
  await appExists(ctx, appId);
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    const user = await ensureUser(tx, ctx.store.caps, appId, externalId, now);
    await tx.updateTable('users').set({ quiet_hours: text, updated_at: now }).where('seq', '=', user.seq).execute();
  });
  return view(text);
}

function view(text: string | null): UserQuietHours {
  return { quietHours: text === null ? null : (JSON.parse(text) as { start: string; end: string }) };
}
