import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { MfaChallengesTable } from '../store/schema-mfa.ts';
import { audit, type Origin } from './audit.ts';
import { challengeSignals } from './challenge-signals.ts';
import { DECISIONS, type ChallengeContext, type Decision } from './challenge-input.ts';
import { closeChallenge, contextOf, readChallenge, type ChallengeView, challengeView } from './challenges.ts';
import { assertNotLocked, lockForFraud, recordFailure, recordSuccess, userState } from './defences.ts';
import { emitMfaEvent } from './events.ts';
import { codeMatches } from './secrets.ts';
import type { AnswerMode } from './number-matching.ts';
import { mfaSettings } from './settings.ts';
import { verifyUnspent } from './signed-request.ts';

function closedError(row: MfaChallengesTable): ApiError {
  return new ApiError('challenge_closed', `The challenge is ${row.status}${row.reason ? ` (${row.reason})` : ''}`, { challengeStatus: row.status, ...(row.reason ? { reason: row.reason } : {}) });
}

function assertPending(row: MfaChallengesTable): void {
  if (row.status !== 'pending') throw closedError(row);
}

/**
 * A verified request and its challenge. Its nonce is spent with what the request writes
 * (one commit), or by `refuse` when it is refused: a request is taken once whatever it
 * meets, as when the nonce was spent first.
 */
async function signedFor(ctx: Context, appId: string, challengeId: string, jws: string) {
  const signed = await verifyUnspent(ctx, appId, jws, challengeId);
  /** Spends the nonce on its own and throws `err`; a replay is said as such first. */
  const refuse = async (err: unknown): Promise<never> => {
    await signed.spend(ctx.store.db);
    throw err;
  };
  const row = await readChallenge(ctx, appId, challengeId).catch(refuse);
  // A device answers only for its own user: another user's device key proves nothing here.
  if (signed.device.user_id !== row.user_id) await refuse(new ApiError('device_signature_invalid', 'The signing device is not enrolled for this challenge’s user'));
  return { ...signed, row, refuse };
}

export interface ChallengeDetails {
  challengeId: string;
  context: ChallengeContext;
  createdAt: string;
  expiresAt: string;
  /** How the user answers: `code` (types it) or `numberMatching` (picks one of `numbers`). */
  answerMode: AnswerMode;
  /** numberMatching only: the three numbers to show, one of them the code; the pick is signed as `code`. */
  numbers?: string[];
}

/**
 * What the device shows before the user types the code: the login's context, never the code.
 * In number-matching mode, the three numbers of which one is the code (the same three each
 * time it asks: they are fixed when the challenge is made).
 */
export async function challengeDetails(ctx: Context, appId: string, challengeId: string, jws: string, origin: Origin): Promise<ChallengeDetails> {
  const { device, payload, row, spend, refuse } = await signedFor(ctx, appId, challengeId, jws);
  try {
    if (payload.purpose !== 'details' || payload.decision !== undefined) throw new ApiError('device_signature_invalid', 'A details request signs purpose "details" and no decision');
    assertPending(row);
  } catch (err) {
    await refuse(err);
  }
  const now = ctx.now();
  // A failed write spends the request all the same (refuse), as every other path does.
  await ctx.store.db
    .transaction()
    .execute(async (tx) => {
      await spend(tx);
      await audit(tx, appId, { type: 'challenge_viewed', userId: row.user_id, challengeId, deviceId: device.id, ...origin }, now);
    })
    .catch(refuse);
  const view = challengeView(row);
  const numbers = row.choices === null ? undefined : (JSON.parse(row.choices) as string[]);
  return { challengeId, context: contextOf(row), createdAt: view.createdAt, expiresAt: view.expiresAt, answerMode: numbers ? 'numberMatching' : 'code', ...(numbers ? { numbers } : {}) };
}

export interface AnswerResult extends ChallengeView {
  /** Failures in a row of the user, after this answer. */
  failures?: number;
}

/**
 * A device's signed answer. Approving needs the code of the login screen, compared in
 * constant time: a wrong or missing code is a failure, counted for the user, and ends the
 * challenge as denied (a challenge is answered once, SP 800-63B-4 §3.1.3). `fraud`
 * ("this wasn't me") ends it too, locks push sign-in for the user and is reported.
 */
export async function answerChallenge(ctx: Context, appId: string, challengeId: string, jws: string, origin: Origin): Promise<AnswerResult> {
  const { device, payload, row, spend, refuse } = await signedFor(ctx, appId, challengeId, jws);
  const decision = payload.decision as Decision;
  const code = payload.code;
  try {
    // The kind of request is signed and required: a signature made for another kind (a
    // details request, or any later one) can never be taken for an answer.
    if (payload.purpose !== 'answer') throw new ApiError('device_signature_invalid', 'An answer signs purpose "answer"');
    if (!DECISIONS.includes(decision)) throw new ApiError('device_signature_invalid', 'decision must be approve, deny or fraud');
    if (code !== undefined && (typeof code !== 'string' || code.length > 16)) throw new ApiError('device_signature_invalid', 'code must be a string of digits');
  } catch (err) {
    await refuse(err);
  }
  const userId = row.user_id;
  const now = ctx.now();
  const db = ctx.store.db;
  const state = await userState(db, appId, userId).catch(refuse);
  const who = { userId, challengeId, deviceId: device.id, ...origin };
  if (state.lockedReason !== null) {
    // The lock ends the pending challenge too: the login screen shows "locked".
    await db.transaction().execute(async (tx) => {
      await spend(tx);
      if (await closeChallenge(tx, ctx, appId, challengeId, userId, 'locked', state.lockedReason, device.id, now)) await audit(tx, appId, { type: 'locked', ...who, details: { lockedReason: state.lockedReason } }, now);
    }).catch(refuse);
    challengeSignals(ctx).changed(challengeId);
    assertNotLocked(state);
  }
  if (row.status !== 'pending') await refuse(closedError(row));
  const matches = decision === 'approve' && typeof code === 'string' && /^[0-9]{6,8}$/.test(code) ? codeMatches(ctx.secrets, appId, challengeId, code, row.code_hash) : false;
  let failures: number | undefined;
  const closed = await db.transaction().execute(async (tx): Promise<Ended | false> => {
    // The nonce with the answer's writes: a replay finds it spent, and a rollback leaves it to `refuse`.
    await spend(tx);
    await tx.updateTable('mfa_devices').set({ last_used_at: now }).where('id', '=', device.id).execute();
    if (decision === 'fraud') {
      if (!(await closeChallenge(tx, ctx, appId, challengeId, userId, 'denied', 'fraud', device.id, now))) return false;
      await lockForFraud(tx, appId, userId, now);
      await audit(tx, appId, { type: 'fraud_reported', ...who }, now);
      await emitMfaEvent(tx, ctx.queue, appId, 'mfa.fraud_reported', { challengeId, userId, deviceId: device.id, context: contextOf(row) }, now);
      return { status: 'denied', reason: 'fraud' };
    }
    if (decision === 'deny') {
      if (!(await closeChallenge(tx, ctx, appId, challengeId, userId, 'denied', 'denied', device.id, now))) return false;
      await audit(tx, appId, { type: 'denied', ...who }, now);
      return { status: 'denied', reason: 'denied' };
    }
    if (matches) {
      if (!(await closeChallenge(tx, ctx, appId, challengeId, userId, 'approved', null, device.id, now))) return false;
      await recordSuccess(tx, appId, userId, now);
      await audit(tx, appId, { type: 'approved', ...who }, now);
      return { status: 'approved', reason: null };
    }
    // Only a failure needs the limits: read then, in the transaction.
    const failure = await recordFailure(tx, appId, userId, await mfaSettings(ctx, appId, tx), now);
    failures = failure.failures;
    const status = failure.locked ? 'locked' : 'denied';
    if (!(await closeChallenge(tx, ctx, appId, challengeId, userId, status, failure.locked ? 'failures' : 'wrong_code', device.id, now))) {
      throw new ApiError('challenge_closed', 'The challenge was answered already', { challengeStatus: 'closed' });
    }
    await audit(tx, appId, { type: 'failed', ...who, details: { failures: failure.failures } }, now);
    if (failure.locked) await audit(tx, appId, { type: 'locked', ...who, details: { lockedReason: 'failures', failures: failure.failures } }, now);
    return { status, reason: failure.locked ? 'failures' : 'wrong_code' };
  }).catch(refuse);
  if (!closed) {
    // Another answer closed it first: say how it stands.
    assertPending(await readChallenge(ctx, appId, challengeId));
    throw new ApiError('challenge_closed', 'The challenge was answered already', { challengeStatus: 'closed' });
  }
  challengeSignals(ctx).changed(challengeId);
  // What this answer wrote, without reading it back.
  const after: MfaChallengesTable = { ...row, ...closed, answered_at: now, device_id: device.id };
  return { ...challengeView(after), ...(failures !== undefined ? { failures } : {}) };
}

type Ended = Pick<MfaChallengesTable, 'status' | 'reason'>;
