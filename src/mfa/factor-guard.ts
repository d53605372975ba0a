import type { Transaction } from 'kysely';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import type { Database } from '../store/schema.ts';
import { audit, type AuditType, type Origin } from './audit.ts';
import { assertNoBackoff, lockUserRow, recordFailure, recordSuccess } from './defences.ts';
import type { MfaSettings } from './settings.ts';

/**
 * The fallbacks (TOTP, recovery codes) share the user's failures with push sign-in, so a
 * guesser cannot get more tries by switching factor (SP 800-63B-4 §3.2.2: at most 100
 * consecutive failures, counted per subscriber). They stay usable while push sign-in is
 * locked for a fraud report, which is what a fallback is for; a lock for failures and the
 * backoff apply to them as well.
 *
 * Called first in the transaction that records the outcome: it takes the user's row lock
 * (lockUserRow), so guesses sent at once are checked one after the other against the
 * failures of those before them, and none slips past the backoff or the lock on a count
 * read before the others were recorded. `settings` are read before the transaction (see
 * recordFactorOutcome).
 */
export async function assertFactorAllowed(tx: Transaction<Database>, ctx: Context, settings: MfaSettings, appId: string, userId: string): Promise<void> {
  const state = await lockUserRow(tx, appId, userId, ctx.now());
  if (state.lockedReason === 'failures') throw new ApiError('sign_in_locked', 'Too many failed sign-ins in a row; locked until your server resets it', { lockedReason: 'failures' });
  assertNoBackoff(state, settings, ctx.now());
}

/**
 * Records a fallback's outcome in `tx`: a success resets the failures, a failure counts (and
 * may lock). `settings` are read before the transaction: on SQLite the store is one
 * connection, which a read outside `tx` would wait for while `tx` holds it.
 */
export async function recordFactorOutcome(tx: Transaction<Database>, ctx: Context, settings: MfaSettings, appId: string, userId: string, ok: boolean, types: { ok: AuditType; failed: AuditType }, origin: Origin, details: Record<string, unknown> = {}): Promise<FactorOutcome> {
  const now = ctx.now();
  if (ok) {
    await recordSuccess(tx, appId, userId, now);
    await audit(tx, appId, { type: types.ok, userId, ...origin, details }, now);
    return { locked: false };
  }
  const failure = await recordFailure(tx, appId, userId, settings, now);
  await audit(tx, appId, { type: types.failed, userId, ...origin, details: { ...details, failures: failure.failures } }, now);
  if (failure.locked) await audit(tx, appId, { type: 'locked', userId, ...origin, details: { lockedReason: 'failures', failures: failure.failures } }, now);
  return failure;
}

/** What recordFactorOutcome did: on a failure, the user's failures in a row and whether this one locked them. */
export interface FactorOutcome {
  failures?: number;
  locked: boolean;
}
