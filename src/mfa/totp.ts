import { randomBytes } from 'node:crypto';
import { getApp } from '../apps/apps.ts';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { audit, type Origin } from './audit.ts';
import { lockUserRow } from './defences.ts';
import { assertFactorAllowed, recordFactorOutcome } from './factor-guard.ts';
import { mfaSettings } from './settings.ts';
import { base32, fromBase32, matchingStep, otpauthUri } from './rfc6238.ts';

/** Sealed with the master key, bound to its app and user (src/crypto/secret-box.ts). */
const sealContext = (appId: string, userId: string) => `app:${appId}:mfa:totp:${userId}`;

const notEnrolled = (userId: string) => new ApiError('totp_not_enrolled', `User ${userId} has no confirmed TOTP authenticator`);

/**
 * Starts a user's TOTP authenticator: a 160-bit secret (RFC 4226 §4 recommends 160 bits),
 * sealed at rest, returned once with its otpauth URI. It verifies nothing until a first
 * code confirms it. Starting again before that replaces the unconfirmed secret; a
 * confirmed one is removed first (POST …/totp/remove).
 */
export async function beginTotp(ctx: Context, appId: string, userId: string, origin: Origin): Promise<{ secret: string; uri: string }> {
  const app = await getApp(ctx, appId);
  const now = ctx.now();
  const secret = base32(randomBytes(20));
  const sealed = ctx.secrets.seal(secret, sealContext(appId, userId));
  await ctx.store.db.transaction().execute(async (tx) => {
    // Under the user's row lock: two enrollments at once replace one another in turn
    // (PostgreSQL would otherwise fail the second insert on the key), one secret left pending.
    await lockUserRow(tx, appId, userId, now);
    const current = await tx.selectFrom('mfa_totp').select('confirmed_at').where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst();
    if (current?.confirmed_at != null) throw new ApiError('totp_enabled', 'The user has a TOTP authenticator: remove it (POST …/mfa/totp/remove) before enrolling another');
    await tx.deleteFrom('mfa_totp').where('app_id', '=', appId).where('user_id', '=', userId).execute();
    await tx.insertInto('mfa_totp').values({ app_id: appId, user_id: userId, secret: sealed, confirmed_at: null, last_step: null, created_at: now }).execute();
    await audit(tx, appId, { type: 'totp_started', userId, ...origin }, now);
  });
  return { secret, uri: otpauthUri(secret, app.name, userId) };
}

async function keyOf(ctx: Context, appId: string, userId: string) {
  const row = await ctx.store.db.selectFrom('mfa_totp').selectAll().where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst();
  return row ? { row, key: fromBase32(ctx.secrets.open(row.secret, sealContext(appId, userId))) } : undefined;
}

/** A first code from the authenticator app confirms the secret; its step is spent. */
export async function confirmTotp(ctx: Context, appId: string, userId: string, code: string, origin: Origin): Promise<{ confirmed: true }> {
  const found = await keyOf(ctx, appId, userId);
  if (!found || found.row.confirmed_at !== null) throw new ApiError('totp_not_pending', 'No TOTP authenticator is being enrolled for this user; start with POST …/mfa/totp');
  const step = matchingStep(found.key, code, ctx.now());
  if (step === undefined) {
    const detail = 'The code is not the current one of the authenticator app';
    throw new ApiError('totp_confirmation_failed', detail, { errors: [{ pointer: '#/code', field: 'body.code', detail, message: detail }] });
  }
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    const res = await tx
      .updateTable('mfa_totp')
      .set({ confirmed_at: now, last_step: step })
      .where('app_id', '=', appId)
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is', null)
      // The secret the code was checked against: a new enrollment begun meanwhile replaced it.
      .where('secret', '=', found.row.secret)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) throw new ApiError('totp_not_pending', 'The TOTP authenticator was confirmed already, or enrolled again meanwhile');
    await audit(tx, appId, { type: 'totp_confirmed', userId, ...origin }, now);
  });
  return { confirmed: true };
}

/**
 * Checks a code and spends its step: a code taken once is refused again, and so is any
 * code of an earlier step, also within the ±1 window (RFC 6238 §5.2: "the verifier MUST
 * NOT accept the second attempt of the OTP after the successful validation").
 */
export async function verifyTotp(ctx: Context, appId: string, userId: string, code: string, origin: Origin): Promise<{ valid: boolean; failures?: number }> {
  const found = await keyOf(ctx, appId, userId);
  if (!found || found.row.confirmed_at === null) throw notEnrolled(userId);
  const settings = await mfaSettings(ctx, appId);
  const step = matchingStep(found.key, code, ctx.now());
  return ctx.store.db.transaction().execute(async (tx) => {
    await assertFactorAllowed(tx, ctx, settings, appId, userId);
    let ok = false;
    if (step !== undefined) {
      // Conditional on the step being later than the last one taken: of two requests with one code, one wins.
      const res = await tx
        .updateTable('mfa_totp')
        .set({ last_step: step })
        .where('app_id', '=', appId)
        .where('user_id', '=', userId)
        .where('confirmed_at', 'is not', null)
        .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
        .executeTakeFirst();
      ok = Number(res.numUpdatedRows) === 1;
    }
    const { failures } = await recordFactorOutcome(tx, ctx, settings, appId, userId, ok, { ok: 'totp_verified', failed: 'totp_failed' }, origin, step !== undefined && !ok ? { reused: true } : {});
    return { valid: ok, ...(failures !== undefined ? { failures } : {}) };
  });
}

export async function removeTotp(ctx: Context, appId: string, userId: string, origin: Origin): Promise<void> {
  const now = ctx.now();
  await ctx.store.db.transaction().execute(async (tx) => {
    const res = await tx.deleteFrom('mfa_totp').where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw notEnrolled(userId);
    await audit(tx, appId, { type: 'totp_removed', userId, ...origin }, now);
  });
}
