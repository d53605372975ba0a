import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { newId } from '../crypto/tokens.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import { prepared } from '../store/prepared.ts';
import type { MfaChallengesTable, MfaChallengeState } from '../store/schema-mfa.ts';
import { audit, type Origin } from './audit.ts';
import type { ChallengeContext, ChallengeInput } from './challenge-input.ts';
import { assertNoBackoff, assertNotLocked, assertPushAllowed, lockUserRow, type UserState } from './defences.ts';
import { activeDevices } from './enrollment.ts';
import { challengeSignals } from './challenge-signals.ts';
import { emitMfaEvent } from './events.ts';
import { pushToDevicesIn } from './push.ts';
import { hashCode, newCode } from './secrets.ts';
import { numberChoices, type AnswerMode } from './number-matching.ts';
import { knownAppSettings } from './settings.ts';

export interface CreatedChallenge {
  challengeId: string;
  /** Shown on the login screen, typed on the device; never stored in the clear, never pushed. */
  code: string;
  expiresAt: string;
  /** The pending challenge this one replaced (one pending challenge per user), or null. */
  supersedes: string | null;
  /** How the user answers: types the code, or picks it among three numbers (the weaker opt-in mode). */
  answerMode: AnswerMode;
}

export interface ChallengeView {
  id: string;
  userId: string;
  status: MfaChallengeState;
  reason: string | null;
  createdAt: string;
  expiresAt: string;
  answeredAt: string | null;
  deviceId: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export function challengeView(r: MfaChallengesTable): ChallengeView {
  return { id: r.id, userId: r.user_id, status: r.status, reason: r.reason, createdAt: iso(r.created_at)!, expiresAt: iso(r.expires_at)!, answeredAt: iso(r.answered_at), deviceId: r.device_id };
}

/**
 * Makes a sign-in challenge and pushes it. Refused, with nothing stored, while the user
 * is locked or waits after failures, when the fatigue cap is reached, or when they have no
 * device. The checks, the supersede and the insert are one transaction under the user's
 * row lock (lockUserRow): two creations at once cannot both pass a cap that allows one
 * more, nor leave two challenges pending. The push (its notification and fan-out job) and
 * its audit are in that transaction too: one commit, and never a challenge without its
 * push. A refusal for a limit is audited (a fatigue signal, T1621), after the rollback.
 */
export async function createChallenge(ctx: Context, appId: string, input: ChallengeInput, origin: Origin): Promise<CreatedChallenge> {
  const { userId, context } = input;
  const settings = await knownAppSettings(ctx, appId);
  const now = ctx.now();
  const db = ctx.store.db;
  const id = newId('mfc');
  const code = newCode();
  const codeHash = hashCode(ctx.secrets, appId, id, code);
  const expiresAt = now + settings.challengeLifetime * 1000;
  const { answerMode } = settings;
  const choices = answerMode === 'numberMatching' ? JSON.stringify(numberChoices(code)) : null;
  const where = { ip: context.ip, userAgent: context.userAgent ?? null };
  let supersedes: string | null = null;
  let state: UserState | undefined;
  let devices: Awaited<ReturnType<typeof activeDevices>> = [];
  try {
    await db.transaction().execute(async (tx) => {
      state = await lockUserRow(tx, appId, userId, now);
      assertNotLocked(state);
      assertNoBackoff(state, settings, now);
      await assertPushAllowed(tx, appId, userId, state, settings, now);
      devices = await activeDevices(ctx, appId, userId, tx);
      if (devices.length === 0) throw new ApiError('no_enrolled_device', `User ${userId} has no enrolled device; enroll one first`);
      const pending = await pendingChallenges.rows(tx, { appId, userId });
      for (const p of pending) {
        await closeChallenge(tx, ctx, appId, p.id, userId, 'expired', 'superseded', null, now, { supersededBy: id });
        await audit(tx, appId, { type: 'challenge_superseded', userId, challengeId: p.id, ...where, details: { supersededBy: id } }, now);
        supersedes = p.id;
      }
      // The push and its fan-out job in the same commit: a challenge is never stored without its push, nor the push without it.
      const notificationId = await pushToDevicesIn(ctx, tx, appId, devices.map((d) => d.subscription_id), 'challenge', { challengeId: id, appId }, settings.challengeLifetime);
      await tx
        .insertInto('mfa_challenges')
        .values({ id, app_id: appId, user_id: userId, status: 'pending', reason: null, code_hash: codeHash, context: JSON.stringify(context), notification_id: notificationId, created_at: now, expires_at: expiresAt, answered_at: null, device_id: null, choices })
        .execute();
      await audit(tx, appId, [
        { type: 'challenge_created', userId, challengeId: id, ...where, details: { expiresAt: iso(expiresAt), ...(supersedes ? { supersedes } : {}), ...(choices ? { answerMode } : {}) } },
        { type: 'challenge_pushed', userId, challengeId: id, ...where, details: { devices: devices.length, notificationId } },
      ], now);
      await emitMfaEvent(tx, ctx.queue, appId, 'mfa.challenge.created', { challengeId: id, userId, expiresAt: iso(expiresAt), ...(supersedes ? { supersedes } : {}) }, now);
    });
  } catch (err) {
    const limit = err instanceof ApiError ? ({ sign_in_locked: 'locked', sign_in_backoff: 'backoff', sign_in_push_limit: 'push_cap' } as Record<string, string>)[err.code] : undefined;
    if (limit) await audit(db, appId, { type: limit === 'backoff' ? 'backoff' : 'rate_limited', userId, ...where, details: { limit, failures: state?.failures ?? 0 } }, now);
    throw err;
  }
  if (supersedes) challengeSignals(ctx).changed(supersedes);
  return { challengeId: id, code, expiresAt: iso(expiresAt)!, supersedes, answerMode };
}

const pendingChallenges = prepared((db, $: { appId: string; userId: string }) => db.selectFrom('mfa_challenges').select('id').where('app_id', '=', $.appId).where('user_id', '=', $.userId).where('status', '=', 'pending'));

const challengeById = prepared((db, $: { id: string; appId: string }) => db.selectFrom('mfa_challenges').selectAll().where('id', '=', $.id).where('app_id', '=', $.appId));

/** A pending challenge closed, and only a pending one: of two answers at once, one finds it closed. */
const closedOnce = prepared((db, $: { id: string; status: Exclude<MfaChallengeState, 'pending'>; reason: string | null; now: number; deviceId: string | null }) =>
  db.updateTable('mfa_challenges').set({ status: $.status, reason: $.reason, answered_at: $.now, device_id: $.deviceId }).where('id', '=', $.id).where('status', '=', 'pending'),
);

const EVENT_OF_STATE = { approved: 'mfa.challenge.approved', denied: 'mfa.challenge.denied', expired: 'mfa.challenge.expired', locked: 'mfa.challenge.locked' } as const;

/**
 * Ends a pending challenge, once: the update is conditional on `pending`, so of two answers
 * at once one wins and the other finds it closed. Returns whether this call closed it.
 */
export async function closeChallenge(
  tx: Transaction<Database>,
  ctx: Context,
  appId: string,
  id: string,
  userId: string,
  status: Exclude<MfaChallengeState, 'pending'>,
  reason: string | null,
  deviceId: string | null,
  now: number,
  extra: Record<string, unknown> = {},
): Promise<boolean> {
  if ((await closedOnce.affected(tx, { id, status, reason, now, deviceId })) !== 1) return false;
  await emitMfaEvent(tx, ctx.queue, appId, EVENT_OF_STATE[status], { challengeId: id, userId, status, ...(reason ? { reason } : {}), ...(deviceId ? { deviceId } : {}), ...extra }, now);
  return true;
}

/** A challenge as it stands; a pending one past its expiry is closed as expired (and audited) when it is read. */
export async function readChallenge(ctx: Context, appId: string, id: string, origin: Origin = {}): Promise<MfaChallengesTable> {
  const db = ctx.store.db;
  const row = await challengeById.first(db, { id, appId });
  if (!row) throw new ApiError('challenge_not_found', `No sign-in challenge ${id} in this app`);
  const now = ctx.now();
  if (row.status === 'pending' && Number(row.expires_at) <= now) {
    const closed = await db.transaction().execute(async (tx) => {
      const done = await closeChallenge(tx, ctx, appId, id, row.user_id, 'expired', 'timeout', null, now);
      if (done) await audit(tx, appId, { type: 'expired', userId: row.user_id, challengeId: id, ...origin }, now);
      return done;
    });
    if (closed) {
      challengeSignals(ctx).changed(id);
      return { ...row, status: 'expired', reason: 'timeout', answered_at: now };
    }
    return readChallenge(ctx, appId, id, origin);
  }
  return row;
}

export async function getChallenge(ctx: Context, appId: string, id: string): Promise<ChallengeView> {
  return challengeView(await readChallenge(ctx, appId, id));
}

export function contextOf(row: MfaChallengesTable): ChallengeContext {
  return JSON.parse(row.context) as ChallengeContext;
}
