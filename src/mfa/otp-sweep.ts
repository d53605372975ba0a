import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import type { JobSpec } from '../queue/queue.ts';
import { audit } from './audit.ts';
import { closeOtp } from './otp.ts';
import { deleteLapsedNonces } from './signed-request.ts';

/**
 * The sweep of one-time codes past their life. A code that nobody verifies or replaces
 * would otherwise stay pending, its code in the stored notification's content, until a
 * later verify or create happened to close it. Every minute (on the injected clock) a job
 * closes the pending codes whose time is up, as `expired`: each takes its code out of the
 * notification, is audited (`otp_expired`) and sends `mfa.otp.expired` (reason `timeout`),
 * exactly as a verify that finds it expired does; closing is conditional on pending, so a
 * verify or another process's sweep at the same moment closes it once.
 *
 * A chain that re-schedules itself for the next minute boundary, keyed by that boundary,
 * and started again by the reconcile pass when the queue lost it, as the retention prunes
 * do (src/audience/events/prune-job.ts). The same run deletes the devices' spent nonces
 * whose requests are past their exp (src/mfa/signed-request.ts).
 */
export const OTP_SWEEP_JOB = 'mfa.expire-otps';

/** ms; how often: a code past its life keeps its text in the notification a minute more at most. */
export const OTP_SWEEP_INTERVAL = 60_000;

/** Codes closed per run, each in a transaction of its own (a SQLite writer blocks the others); past this the next run follows at once. */
export const OTP_SWEEP_CHUNK = 200;

export function nextOtpSweepAt(t: number): number {
  return (Math.floor(t / OTP_SWEEP_INTERVAL) + 1) * OTP_SWEEP_INTERVAL;
}

function sweepSpec(runAt: number, key = `${OTP_SWEEP_JOB}:${runAt}`): JobSpec {
  return { name: OTP_SWEEP_JOB, data: {}, runAt, key };
}

/** Closes up to OTP_SWEEP_CHUNK pending codes past their life; returns how many it looked at. */
export async function sweepExpiredOtps(ctx: Context, now: number): Promise<{ seen: number; closed: number }> {
  const db = ctx.store.db;
  // mfa_otps_pending_expiry (migration 039) holds the pending codes only.
  const due = await db.selectFrom('mfa_otps').selectAll().where('status', '=', 'pending').where('expires_at', '<=', now).orderBy('expires_at').limit(OTP_SWEEP_CHUNK).execute();
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

/** The job kind of the sweep, registered with the worker's other kinds (src/runtime.ts). */
export function otpSweepJob(ctx: Context): JobKind {
  let offered: number | undefined;
  return {
    name: OTP_SWEEP_JOB,
    async handler() {
      const now = ctx.now();
      const { seen, closed } = await sweepExpiredOtps(ctx, now);
      if (closed > 0) ctx.logger.info({ module: 'mfa', closed }, 'one-time codes past their life closed');
      // The devices' spent nonces past their requests' exp go in the same pass: a few minutes' worth at most.
      await deleteLapsedNonces(ctx, now);
      // A full chunk: the rest now, under a key of its own (the minute's key may be this run's).
      await ctx.queue.add([seen === OTP_SWEEP_CHUNK ? sweepSpec(now, `${OTP_SWEEP_JOB}:more:${now}`) : sweepSpec(nextOtpSweepAt(now))]);
    },
    // A recurring job is never unfinished: the answer is the chain's next run, which dedupes
    // against the one the chain queued itself; asked once per minute and process.
    async reconcile() {
      const next = nextOtpSweepAt(ctx.now());
      if (next === offered) return [];
      offered = next;
      return [sweepSpec(next)];
    },
  };
}
