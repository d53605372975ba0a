import { createHash, randomBytes } from 'node:crypto';
import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import { audit, type Origin } from './audit.ts';
import { lockUserRow } from './defences.ts';
import { assertFactorAllowed, recordFactorOutcome } from './factor-guard.ts';
import { requireKnownApp } from './known-app.ts';
import { base32 } from './rfc6238.ts';
import { mfaSettings } from './settings.ts';

/** How many codes a user is given at a time. */
export const RECOVERY_CODES = 10;

/** `ABCD-EFGH-IJKL-MNOP-QRST-UVWX`: 120 random bits in base32, in groups to read and type. */
function newRecoveryCode(): string {
  return base32(randomBytes(15)).match(/.{4}/g)!.join('-');
}

/** What a user typed, in the form it was made: case, spaces and dashes do not matter. */
function normalise(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/**
 * What is stored of a code: SHA-256 of app, user and code. A keyless hash suffices here, unlike
 * for the 6-digit codes (keyed with the master key, src/mfa/secrets.ts): a recovery code carries 120
 * random bits, so with the table in hand finding one by trying takes about 2^119 hashes,
 * beyond reach at any speed. SP 800-63B-4 (look-up secret verifiers) allows an approved
 * one-way function for look-up secrets of at least 112 bits and asks a salted password
 * hash only of shorter ones. App and user go into the hash, so one stored hash is one
 * user's code and a code of one user is nothing for another.
 */
function hashRecoveryCode(appId: string, userId: string, code: string): string {
  return createHash('sha256').update(`${appId}\0${userId}\0${normalise(code)}`).digest('base64url');
}

/** Ten new codes for the user, shown this once; those they had are gone. */
export async function generateRecoveryCodes(ctx: Context, appId: string, userId: string, origin: Origin): Promise<{ codes: string[] }> {
  await requireKnownApp(ctx.store.db, appId);
  const now = ctx.now();
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await ctx.store.db.transaction().execute(async (tx) => {
    // Under the user's row lock: of two generations at once the second deletes the first's
    // codes once it commits (on PostgreSQL each would otherwise keep its ten, twenty in all).
    await lockUserRow(tx, appId, userId, now);
    const replaced = await tx.deleteFrom('mfa_recovery_codes').where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirst();
    await tx.insertInto('mfa_recovery_codes').values(codes.map((c) => ({ id: newId('mfr'), app_id: appId, user_id: userId, code_hash: hashRecoveryCode(appId, userId, c), used_at: null, created_at: now }))).execute();
    await audit(tx, appId, { type: 'recovery_codes_generated', userId, ...origin, details: { count: codes.length, replaced: Number(replaced.numDeletedRows) } }, now);
  });
  return { codes };
}

/** Checks a recovery code and spends it (each is good once); counts a wrong one as a failure of the user. */
export async function verifyRecoveryCode(ctx: Context, appId: string, userId: string, code: string, origin: Origin): Promise<{ valid: boolean; remaining: number; failures?: number }> {
  // An unknown app is a 404, not the user-state row's foreign key failing as a 500.
  await requireKnownApp(ctx.store.db, appId);
  const settings = await mfaSettings(ctx, appId);
  const now = ctx.now();
  const hash = hashRecoveryCode(appId, userId, code);
  return ctx.store.db.transaction().execute(async (tx) => {
    await assertFactorAllowed(tx, ctx, settings, appId, userId);
    const res = await tx.updateTable('mfa_recovery_codes').set({ used_at: now }).where('app_id', '=', appId).where('user_id', '=', userId).where('code_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
    const ok = Number(res.numUpdatedRows) === 1;
    const left = await tx.selectFrom('mfa_recovery_codes').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', appId).where('user_id', '=', userId).where('used_at', 'is', null).executeTakeFirstOrThrow();
    const remaining = Number(left.n);
    const { failures } = await recordFactorOutcome(tx, ctx, settings, appId, userId, ok, { ok: 'recovery_code_used', failed: 'recovery_code_failed' }, origin, ok ? { remaining } : {});
    return { valid: ok, remaining, ...(failures !== undefined ? { failures } : {}) };
  });
}
