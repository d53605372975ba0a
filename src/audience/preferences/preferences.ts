import type { Context } from '../../context.ts';
import { ALWAYS_ON_CATEGORIES, appCategories, checkCategory, pointerTo } from '../../apps/categories.ts';
import { ApiError } from '../../errors/api-error.ts';
import { ensureUser } from '../users/ensure-user.ts';

/** A user's preferences: every category of the app, true unless the user turned it off. */
export type Preferences = Record<string, boolean>;

/**
 * What a user receives, by category. A user not known yet, or one who never chose, gets
 * everything: no row means on. Choices for a category the app no longer declares are
 * kept but not shown (src/apps/categories.ts).
 */
export async function getPreferences(ctx: Context, appId: string, externalId: string): Promise<Preferences> {
  const categories = await appCategories(ctx.store.db, appId);
  const rows = await ctx.store.db
    .selectFrom('user_preferences')
    .innerJoin('users', 'users.seq', 'user_preferences.user_seq')
    .select(['user_preferences.category', 'user_preferences.enabled'])
    .where('users.app_id', '=', appId)
    .where('users.external_id', '=', externalId)
    .execute();
  const off = new Set(rows.filter((r) => !r.enabled).map((r) => r.category));
  return Object.fromEntries(categories.map((c) => [c, !off.has(c)]));
}

/**
 * Turns categories on (`true`) or off (`false`) for a user, creating the user if it is not
 * known yet, in one transaction. Categories the request does not name are left as they
 * are. Every member is checked before anything is stored: an unknown category, or one a
 * user cannot turn off, refuses the whole request with a pointer to that member.
 *
 * @example
 *   await setPreferences(ctx, 'app_1', 'user-42', { promotions: false });
 */
export async function setPreferences(ctx: Context, appId: string, externalId: string, changes: Preferences): Promise<Preferences> {
  const categories = await appCategories(ctx.store.db, appId);
  const entries = Object.entries(changes);
  for (const [category, enabled] of entries) {
    checkCategory(categories, category, [category]);
    if (!enabled && ALWAYS_ON_CATEGORIES.has(category)) {
      const detail = `"${category}" carries sign-in approvals and one-time codes; a user cannot turn it off`;
      throw new ApiError('category_always_on', `${category}: ${detail}`, { errors: [{ pointer: pointerTo(category), field: `body.${category}`, detail, message: detail }] });
    }
  }
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    const { seq: userSeq } = await ensureUser(tx, ctx.store.caps, appId, externalId, now);
    if (entries.length === 0) return;
    await tx
      .insertInto('user_preferences')
      .values(entries.map(([category, enabled]) => ({ user_seq: userSeq, app_id: appId, category, enabled: enabled ? 1 : 0, updated_at: now })))
      .onConflict((oc) => oc.columns(['user_seq', 'category']).doUpdateSet((eb) => ({ enabled: eb.ref('excluded.enabled'), updated_at: eb.ref('excluded.updated_at') })))
      .execute();
  });
  return getPreferences(ctx, appId, externalId);
}
