import { sql, type Kysely, type Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import type { MfaOtpState, MfaOtpsTable } from '../store/schema-mfa-otp.ts';
import { audit, type Origin } from './audit.ts';
import { assertNoBackoff, assertNotLocked, lockUserRow, type UserState } from './defences.ts';
import { activeDevices } from './enrollment.ts';
import { emitMfaEvent } from './events.ts';
import { assertFactorAllowed, recordFactorOutcome } from './factor-guard.ts';
import { requireKnownApp } from './known-app.ts';
import { hashOtpCode, newOtpCode, otpCodeMatches } from './otp-code.ts';
import type { OtpInput } from './otp-input.ts';
import { pushOtp, scrubOtpPush } from './otp-push.ts';
import { knownAppSettings, mfaSettings, type MfaSettings } from './settings.ts';

export interface CreatedOtp {
  otpId: string;
  expiresAt: string;
  /** The pending code of the same user and purpose this one replaced, or null. */
  superseded: string | null;
}

export interface OtpVerdict {
  valid: boolean;
  /** On a wrong code of an open OTP: verifies left before it is burnt. */
  attemptsLeft?: number;
  /** On a wrong code: the user's failures in a row, shared with the other factors. */
  failures?: number;
  /** Why the code was not open: used (verified once already), burnt, expired, superseded. */
  reason?: 'used' | 'burnt' | 'expired' | 'superseded';
}

const REASON = { verified: 'used', burnt: 'burnt', expired: 'expired', superseded: 'superseded' } as const satisfies Record<Exclude<MfaOtpState, 'pending'>, OtpVerdict['reason']>;

const iso = (ms: number) => new Date(Number(ms)).toISOString();

/**
 * Throws `otp_push_limit` when the user was pushed otpPushesPerWindow codes within
 * pushWindow since their last success. A count of its own, not the challenges' cap: an OTP
 * asks for no tap, so a flood of them is no fatigue attack, and a flood of codes must not
 * use up the pushes of push sign-in, the stronger factor (docs/mfa.md).
 */
async function assertOtpPushAllowed(tx: Transaction<Database>, appId: string, userId: string, state: UserState, s: MfaSettings, now: number): Promise<void> {
  const since = Math.max(now - s.pushWindow * 1000, state.lastSuccessAt ?? 0);
  const recent = await tx.selectFrom('mfa_otps').select('created_at').where('app_id', '=', appId).where('user_id', '=', userId).where('created_at', '>', since).orderBy('created_at', 'desc').limit(s.otpPushesPerWindow).execute();
  if (recent.length < s.otpPushesPerWindow) return;
  const oldest = Number(recent[recent.length - 1]!.created_at);
  const retryAfter = Math.max(1, Math.ceil((oldest + s.pushWindow * 1000 - now) / 1000));
  throw new ApiError('otp_push_limit', `${recent.length} one-time codes pushed to this user since their last success; try again in ${retryAfter} s`, { retryAfter, limit: s.otpPushesPerWindow });
}

/**
 * Ends a pending OTP, once (conditional on pending), takes its code out of the stored push
 * and sends `mfa.otp.expired` (reason `timeout`, or `superseded` with `supersededBy`).
 */
export async function closeOtp(tx: Transaction<Database>, ctx: Context, appId: string, row: MfaOtpsTable, status: 'expired' | 'superseded', now: number, supersededBy?: string): Promise<boolean> {
  const res = await tx.updateTable('mfa_otps').set({ status, closed_at: now }).where('id', '=', row.id).where('status', '=', 'pending').executeTakeFirst();
  if (Number(res.numUpdatedRows) !== 1) return false;
  await scrubOtpPush(tx, appId, row);
  const reason = status === 'superseded' ? { reason: 'superseded', supersededBy } : { reason: 'timeout' };
  await emitMfaEvent(tx, ctx.queue, appId, 'mfa.otp.expired', { otpId: row.id, userId: row.user_id, purpose: row.purpose, status, ...reason }, now);
  return true;
}

/**
 * Makes a one-time code and pushes it to the user's enrolled devices. Refused, with nothing
 * stored, while the user is locked (for failures, or for a fraud report: that locks pushes)
 * or waits after failures, beyond otpPushesPerWindow, or when the user has no device. The
 * checks, the supersede and the insert are one transaction under the user's row lock, as
 * for challenges (src/mfa/challenges.ts).
 */
export async function createOtp(ctx: Context, appId: string, input: OtpInput, origin: Origin): Promise<CreatedOtp> {
  const { userId, purpose } = input;
  const db = ctx.store.db;
  // Read before the transaction: on SQLite the store is one connection (factor-guard.ts).
  const settings = await knownAppSettings(ctx, appId);
  const now = ctx.now();
  const id = newId('mfo');
  const digits = input.length ?? 6;
  const code = newOtpCode(digits);
  const expiresAt = now + settings.otpLifetime * 1000;
  let superseded: string | null = null;
  let state: UserState | undefined;
  let devices: Awaited<ReturnType<typeof activeDevices>> = [];
  try {
    await db.transaction().execute(async (tx) => {
      state = await lockUserRow(tx, appId, userId, now);
      assertNotLocked(state);
      assertNoBackoff(state, settings, now);
      await assertOtpPushAllowed(tx, appId, userId, state, settings, now);
      devices = await activeDevices(ctx, appId, userId, tx);
      if (devices.length === 0) throw new ApiError('no_enrolled_device', `User ${userId} has no enrolled device to push a code to; enroll one first`);
      const pending = await tx.selectFrom('mfa_otps').selectAll().where('app_id', '=', appId).where('user_id', '=', userId).where('purpose', '=', purpose).where('status', '=', 'pending').execute();
      for (const p of pending) {
        // One past its life is expired, not superseded: nobody could have used it any more.
        const lapsed = Number(p.expires_at) <= now;
        if (!(await closeOtp(tx, ctx, appId, p, lapsed ? 'expired' : 'superseded', now, id))) continue;
        if (lapsed) {
          await audit(tx, appId, { type: 'otp_expired', userId, ...origin, details: { otpId: p.id } }, now);
        } else {
          await audit(tx, appId, { type: 'otp_superseded', userId, ...origin, details: { otpId: p.id, supersededBy: id } }, now);
          superseded = p.id;
        }
      }
      await tx
        .insertInto('mfa_otps')
        .values({ id, app_id: appId, user_id: userId, purpose, digits, code_hash: hashOtpCode(ctx.secrets, appId, id, code), status: 'pending', attempts: 0, max_attempts: settings.otpAttempts, notification_id: null, created_at: now, expires_at: expiresAt, closed_at: null })
        .execute();
      await audit(tx, appId, { type: 'otp_created', userId, ...origin, details: { otpId: id, purpose, digits, expiresAt: iso(expiresAt), ...(superseded ? { supersedes: superseded } : {}) } }, now);
      await emitMfaEvent(tx, ctx.queue, appId, 'mfa.otp.created', { otpId: id, userId, purpose, digits, expiresAt: iso(expiresAt), ...(superseded ? { supersedes: superseded } : {}) }, now);
    });
  } catch (err) {
    const limit = err instanceof ApiError ? ({ sign_in_locked: 'locked', sign_in_backoff: 'backoff', otp_push_limit: 'otp_push_cap' } as Record<string, string>)[err.code] : undefined;
    if (limit) await audit(db, appId, { type: limit === 'backoff' ? 'backoff' : 'rate_limited', userId, ...origin, details: { limit, failures: state?.failures ?? 0 } }, now);
    throw err;
  }
  const notificationId = await pushOtp(ctx, appId, devices.map((d) => d.subscription_id), { otpId: id, purpose, expiresAt: iso(expiresAt) }, code, settings.otpLifetime);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('mfa_otps').set({ notification_id: notificationId }).where('id', '=', id).execute();
    await audit(tx, appId, { type: 'otp_pushed', userId, ...origin, details: { otpId: id, devices: devices.length, notificationId } }, now);
  });
  return { otpId: id, expiresAt: iso(expiresAt), superseded };
}

async function readOtp(db: Kysely<Database> | Transaction<Database>, appId: string, otpId: string): Promise<MfaOtpsTable | undefined> {
  return db.selectFrom('mfa_otps').selectAll().where('id', '=', otpId).where('app_id', '=', appId).executeTakeFirst();
}

/** The verdict on an OTP found not open: closed already, or pending past its life (then closed as expired and audited). */
async function notOpen(tx: Transaction<Database>, ctx: Context, appId: string, row: MfaOtpsTable, origin: Origin, now: number): Promise<OtpVerdict> {
  if (row.status === 'pending' && Number(row.expires_at) <= now) {
    if (await closeOtp(tx, ctx, appId, row, 'expired', now)) await audit(tx, appId, { type: 'otp_expired', userId: row.user_id, ...origin, details: { otpId: row.id } }, now);
    return { valid: false, reason: 'expired' };
  }
  // Pending with its attempts spent cannot be (the last attempt burns it); taken as burnt.
  return { valid: false, reason: row.status === 'pending' ? 'burnt' : REASON[row.status] };
}

/**
 * Checks a code and spends an attempt of it. The right code closes it (`verified`); a wrong
 * one counts an attempt, burning the code at otpAttempts, and a failure of the user shared
 * with the other factors (factor-guard.ts). Both are one update conditional on the code
 * being pending, unexpired and with attempts left (`... where status = 'pending' and attempts
 * < max_attempts returning`): of two verifies at once of the right code one is valid, and
 * concurrent wrong guesses never get more than otpAttempts between them. A code not open
 * (used, burnt, expired, superseded) is `valid: false` with the reason, counting nothing:
 * there is nothing left to guess.
 */
export async function verifyOtp(ctx: Context, appId: string, otpId: string, userId: string, code: string, origin: Origin): Promise<OtpVerdict> {
  const db = ctx.store.db;
  await requireKnownApp(db, appId);
  const row = await readOtp(db, appId, otpId);
  // Another user's code is not found, and counts nothing: the same answer as an unknown id.
  if (!row || row.user_id !== userId) throw new ApiError('otp_not_found', `No one-time code ${otpId} of this user in this app`);
  const now = ctx.now();
  // Settings are read before the transaction (on SQLite the store is one connection); the lock
  // and backoff inside it, under the user's row lock, so guesses sent at once pass one at a time.
  const settings = row.status === 'pending' && Number(row.expires_at) > now ? await mfaSettings(ctx, appId) : undefined;
  const right = otpCodeMatches(ctx.secrets, appId, otpId, code, row.code_hash);
  return db.transaction().execute(async (tx) => {
    if (!settings) return notOpen(tx, ctx, appId, row, origin, now);
    await assertFactorAllowed(tx, ctx, settings, appId, userId);
    const burns = sql<boolean>`attempts + 1 >= max_attempts`;
    const res = await tx
      .updateTable('mfa_otps')
      .set((eb) =>
        right
          ? { status: 'verified', attempts: eb('attempts', '+', 1), closed_at: now }
          : { attempts: eb('attempts', '+', 1), status: sql<MfaOtpState>`case when ${burns} then 'burnt' else status end`, closed_at: sql<number | null>`case when ${burns} then ${now} else closed_at end` },
      )
      .where('id', '=', otpId)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .whereRef('attempts', '<', 'max_attempts')
      .returning(['attempts', 'max_attempts', 'status'])
      .executeTakeFirst();
    if (!res) return notOpen(tx, ctx, appId, (await readOtp(tx, appId, otpId))!, origin, now);
    const attemptsLeft = Number(res.max_attempts) - Number(res.attempts);
    if (res.status !== 'pending') await scrubOtpPush(tx, appId, row);
    const details = right ? { otpId } : { otpId, attemptsLeft, ...(res.status === 'burnt' ? { burnt: true } : {}) };
    const { failures, locked } = await recordFactorOutcome(tx, ctx, settings, appId, userId, right, { ok: 'otp_verified', failed: 'otp_failed' }, origin, details);
    const event = { otpId, userId, purpose: row.purpose, status: res.status };
    if (right) await emitMfaEvent(tx, ctx.queue, appId, 'mfa.otp.verified', event, now);
    else await emitMfaEvent(tx, ctx.queue, appId, 'mfa.otp.failed', { ...event, attemptsLeft, failures }, now);
    if (locked) await emitMfaEvent(tx, ctx.queue, appId, 'mfa.otp.locked', { otpId, userId, purpose: row.purpose, reason: 'failures', failures }, now);
    return right ? { valid: true } : { valid: false, attemptsLeft, ...(failures !== undefined ? { failures } : {}) };
  });
}
