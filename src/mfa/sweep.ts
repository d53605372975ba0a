import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import type { JobSpec } from '../queue/queue.ts';
import { audit } from './audit.ts';
import { challengeSignals } from './challenge-signals.ts';
import { closeChallenge } from './challenges.ts';
import { closeOtp } from './otp.ts';
import { deleteLapsedNonces } from './signed-request.ts';

/**
 * The sweep of what outlived its time. A one-time code that nobody verifies or replaces
 * would otherwise stay pending, its code in the stored notification's content, until a
 * later verify or create happened to close it; a challenge nobody reads again would stay
 * pending, and its `mfa.challenge.expired` unsent. Every minute (on the injected clock) a
 * job closes the pending codes and challenges whose time is up, as `expired`, exactly as a
 * verify or a read that finds them so does: a code's text leaves its notification, each is
 * audited (`otp_expired`, `expired`, with `sweep: true`) and sends `mfa.otp.expired` or
 * `mfa.challenge.expired` (reason `timeout`), and a long poll of the challenge is woken.
 * Closing is conditional on pending, so a verify, a read or another process's sweep at the
 * same moment closes each once. The same run deletes the devices' spent nonces whose
 * requests are past their exp (src/mfa/signed-request.ts).
 *
 * A chain that re-schedules itself for the next minute boundary, keyed by that boundary,
 * and started again by the reconcile pass when the queue lost it, as the retention prunes
 * do (src/audience/events/prune-job.ts).
 */
export const MFA_SWEEP_JOB = 'mfa.sweep';

/** ms; how often: a code past its life keeps its text in the notification a minute more at most, a challenge's expiry is told a minute late at most. */
export const MFA_SWEEP_INTERVAL = 60_000;

/** Codes (and challenges) closed per run, each in a transaction of its own (a SQLite writer blocks the others); past this the next run follows at once. */
export const MFA_SWEEP_CHUNK = 200;

export function nextMfaSweepAt(t: number): number {
  return (Math.floor(t / MFA_SWEEP_INTERVAL) + 1) * MFA_SWEEP_INTERVAL;
}

function sweepSpec(runAt: number, key = `${MFA_SWEEP_JOB}:${runAt}`): JobSpec {
  return { name: MFA_SWEEP_JOB, data: {}, runAt, key };
}

/** Closes up to MFA_SWEEP_CHUNK pending codes past their life; returns how many it looked at. */
export async function sweepExpiredOtps(ctx: Context, now: number): Promise<{ seen: number; closed: number }> {
  const db = ctx.store.db;
  // mfa_otps_pending_expiry (migration 039) holds the pending codes only.
  const due = await db.selectFrom('mfa_otps').selectAll().where('status', '=', 'pending').where('expires_at', '<=', now).orderBy('expires_at').limit(MFA_SWEEP_CHUNK).execute();
  let closed = 0;
  for (const row of due) {
    const done = await db.transaction().execute(async (tx) => {
      if (!(await closeOtp(tx, ctx, row.app_id, row, 'expired', now))) return false;
      await audit(tx, row.app_id, { type: 'otp_expired', userId: row.user_id, details: { otpId: row.id, sweep: true } }, now);
      return true;
    });
    if (done) closed++;
  }
  return { seen: due.length, closed };
}

/** Closes up to MFA_SWEEP_CHUNK pending challenges past their expiry; returns how many it looked at. */
export async function sweepExpiredChallenges(ctx: Context, now: number): Promise<{ seen: number; closed: number }> {
  const db = ctx.store.db;
  // mfa_challenges_pending_expiry (migration 039) holds the pending challenges only.
  const due = await db.selectFrom('mfa_challenges').select(['id', 'app_id', 'user_id']).where('status', '=', 'pending').where('expires_at', '<=', now).orderBy('expires_at').limit(MFA_SWEEP_CHUNK).execute();
  let closed = 0;
  for (const row of due) {
    const done = await db.transaction().execute(async (tx) => {
      if (!(await closeChallenge(tx, ctx, row.app_id, row.id, row.user_id, 'expired', 'timeout', null, now))) return false;
      await audit(tx, row.app_id, { type: 'expired', userId: row.user_id, challengeId: row.id, details: { sweep: true } }, now);
      return true;
    });
    if (!done) continue;
    challengeSignals(ctx).changed(row.id);
    closed++;
  }
  return { seen: due.length, closed };
}

/** The job kind of the sweep, registered with the worker's other kinds (src/runtime.ts). */
export function mfaSweepJob(ctx: Context): JobKind {
  let offered: number | undefined;
  return {
    name: MFA_SWEEP_JOB,
    async handler() {
      const now = ctx.now();
      const otps = await sweepExpiredOtps(ctx, now);
      const challenges = await sweepExpiredChallenges(ctx, now);
      if (otps.closed + challenges.closed > 0) ctx.logger.info({ module: 'mfa', otps: otps.closed, challenges: challenges.closed }, 'one-time codes and challenges past their life closed');
      const full = otps.seen === MFA_SWEEP_CHUNK || challenges.seen === MFA_SWEEP_CHUNK;
      // The devices' spent nonces past their requests' exp go in the same pass: a few minutes' worth at most.
      await deleteLapsedNonces(ctx, now);
      // A full chunk: the rest now, under a key of its own (the minute's key may be this run's).
      await ctx.queue.add([full ? sweepSpec(now, `${MFA_SWEEP_JOB}:more:${now}`) : sweepSpec(nextMfaSweepAt(now))]);
    },
    // A recurring job is never unfinished: the answer is the chain's next run, which dedupes
    // against the one the chain queued itself; asked once per minute and process.
    async reconcile() {
      const next = nextMfaSweepAt(ctx.now());
      if (next === offered) return [];
      offered = next;
      return [sweepSpec(next)];
    },
  };
}
