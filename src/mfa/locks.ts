import type { Context } from '../context.ts';
import { audit, type Origin } from './audit.ts';
import { resetUserState, stateView, userState } from './defences.ts';
import { requireKnownApp } from './known-app.ts';
import { mfaSettings } from './settings.ts';

/** Where the user's defences stand: failures in a row, the lock and any backoff. */
export async function mfaUserState(ctx: Context, appId: string, userId: string) {
  return stateView(userId, await userState(ctx.store.db, appId, userId), await mfaSettings(ctx, appId), ctx.now());
}

/** The customer's server lifts a lock (after it checked the user another way); audited. */
export async function resetLock(ctx: Context, appId: string, userId: string, origin: Origin) {
  await requireKnownApp(ctx.store.db, appId);
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    const before = await userState(tx, appId, userId);
    await resetUserState(tx, appId, userId, now);
    await audit(tx, appId, { type: 'lock_reset', userId, ...origin, details: { failures: before.failures, lockedReason: before.lockedReason } }, now);
  });
  return mfaUserState(ctx, appId, userId);
}
