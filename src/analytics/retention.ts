import type { Kysely } from 'kysely';
import type { Context } from '../context.ts';
import type { JobKind } from '../queue/job-kind.ts';
import type { JobSpec } from '../queue/queue.ts';
import { HOUR_MS } from '../store/activity-log.ts';
import type { Database } from '../store/schema.ts';
import { MAX_CONVERSION_WINDOW_HOURS } from './conversion-spec.ts';

/**
 * Retention of the raw activity log (`activityRetentionDays`). The rollups are kept: they
 * are what the analytics API reads, and small. The cutoff is a whole hour, so that every
 * hour that still has raw rows has all of them and `carillon analytics rebuild` recounts
 * it right. Rows an outgoing webhook endpoint has not read yet are kept whatever their age
 * (`keepFromSeq`: the oldest unread seq; wired by the composition root).
 *
 * Deleted a bounded chunk per statement and per run, as the events' retention does
 * (src/audience/events/prune-job.ts), so neither engine holds a long lock.
 */
export const ACTIVITY_PRUNE_JOB = 'analytics.prune-activity';
const CHUNK = 5_000;
const CHUNKS_PER_RUN = 20;
const DAY = 86_400_000;

export interface RetentionDeps {
  /** The lowest seq that must be kept (an unread webhook cursor + 1); nothing from it on is deleted. */
  keepFromSeq?: () => Promise<number>;
}

/** The hour before which raw rows may go. */
export function retentionCutoff(now: number, days: number): number {
  const t = now - days * DAY;
  return t - (t % HOUR_MS);
}

/** Deletes up to `limit` chunks of rows older than the cutoff; returns how many, and whether more are left. */
export async function pruneActivity(db: Kysely<Database>, opts: { now: number; retentionDays: number; chunks?: number } & RetentionDeps): Promise<{ deleted: number; more: boolean }> {
  const cutoff = retentionCutoff(opts.now, opts.retentionDays);
  const keep = opts.keepFromSeq ? await opts.keepFromSeq() : Number.MAX_SAFE_INTEGER;
  let deleted = 0;
  for (let i = 0; i < (opts.chunks ?? CHUNKS_PER_RUN); i++) {
    const res = await db
      .deleteFrom('activity')
      .where('seq', 'in', (eb) => eb.selectFrom('activity').select('seq').where('at', '<', cutoff).where('seq', '<', keep).limit(CHUNK))
      .executeTakeFirst();
    const n = Number(res.numDeletedRows);
    deleted += n;
    if (n < CHUNK) {
      // Touches past the longest conversion window can convert nothing any more.
      const old = opts.now - MAX_CONVERSION_WINDOW_HOURS * HOUR_MS;
      await db.deleteFrom('conversion_touches').where((eb) => eb.and([eb.or([eb('displayed_at', 'is', null), eb('displayed_at', '<', old)]), eb.or([eb('clicked_at', 'is', null), eb('clicked_at', '<', old)])])).execute();
      return { deleted, more: false };
    }
  }
  return { deleted, more: true };
}

function jobSpec(runAt: number, key = `${ACTIVITY_PRUNE_JOB}:${runAt}`): JobSpec {
  return { name: ACTIVITY_PRUNE_JOB, data: {}, runAt, key };
}

const nextHour = (t: number) => (Math.floor(t / HOUR_MS) + 1) * HOUR_MS;

/** The hourly retention job, a chain that re-schedules itself (as the events' prune job). */
export function activityPruneJob(ctx: Context, deps: RetentionDeps = {}): JobKind {
  let offered: number | undefined;
  return {
    name: ACTIVITY_PRUNE_JOB,
    async handler() {
      const now = ctx.now();
      const { deleted, more } = await pruneActivity(ctx.store.db, { now, retentionDays: ctx.config.activityRetentionDays, ...deps });
      if (deleted > 0) ctx.logger.info({ module: 'analytics', deleted }, 'activity past the retention deleted');
      await ctx.queue.add([more ? jobSpec(now, `${ACTIVITY_PRUNE_JOB}:more:${now}`) : jobSpec(nextHour(now))]);
    },
    async reconcile() {
      const next = nextHour(ctx.now());
      if (next === offered) return [];
      offered = next;
      return [jobSpec(next)];
    },
  };
}
