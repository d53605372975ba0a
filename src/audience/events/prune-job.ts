import type { Context } from '../../context.ts';
import type { JobKind } from '../../queue/job-kind.ts';
import type { JobSpec } from '../../queue/queue.ts';

/**
 * Retention of tracked events: every hour a job deletes the events older than
 * `eventRetentionDays`, a bounded chunk per statement so that neither engine holds a
 * long lock (a SQLite writer blocks every other writer; a PostgreSQL delete of millions
 * of rows in one statement bloats and stalls replication), and a bounded number of
 * chunks per run, so that a backlog (a retention shortened by the operator) is worked
 * through by runs that follow each other at once rather than one run that never ends.
 *
 * The job re-schedules itself for the next hour boundary, keyed by that boundary. The
 * reconcile pass asks for the same next boundary: while the chain lives its key is
 * already queued and the request dedupes; if the queue lost it, the chain starts again.
 */
export const EVENT_PRUNE_JOB = 'audience.prune-events';

/** ms; how often events past the retention are deleted: an hour late is nothing against 90 days. */
export const PRUNE_INTERVAL = 3_600_000;

/** Rows per delete statement: a few milliseconds of lock on either engine. */
export const PRUNE_CHUNK = 5_000;

/** Delete statements per run; past this the next run follows at once. */
export const PRUNE_CHUNKS_PER_RUN = 20;

const DAY = 86_400_000;

/** The first hour boundary after `t`. */
export function nextPruneAt(t: number): number {
  return (Math.floor(t / PRUNE_INTERVAL) + 1) * PRUNE_INTERVAL;
}

function pruneJobSpec(runAt: number, key = `${EVENT_PRUNE_JOB}:${runAt}`): JobSpec {
  return { name: EVENT_PRUNE_JOB, data: {}, runAt, key };
}

/** Deletes up to `PRUNE_CHUNK` events that happened before `cutoff`; returns how many. */
export async function pruneEventsChunk(ctx: Context, cutoff: number): Promise<number> {
  // Neither engine takes `delete ... limit` by default: the chunk is chosen by a subquery
  // that walks user_events_at.
  const res = await ctx.store.db
    .deleteFrom('user_events')
    .where('seq', 'in', (eb) => eb.selectFrom('user_events').select('seq').where('at', '<', cutoff).limit(PRUNE_CHUNK))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** The job kind of the retention prune, registered with the worker's other kinds (src/runtime.ts). */
export function eventPruneJob(ctx: Context): JobKind {
  return {
    name: EVENT_PRUNE_JOB,
    async handler() {
      const now = ctx.now();
      const cutoff = now - ctx.config.eventRetentionDays * DAY;
      let deleted = 0;
      let full = false;
      for (let i = 0; i < PRUNE_CHUNKS_PER_RUN; i++) {
        const n = await pruneEventsChunk(ctx, cutoff);
        deleted += n;
        full = n === PRUNE_CHUNK;
        if (!full) break;
      }
      if (deleted > 0) ctx.logger.info({ module: 'audience', deleted, cutoff: new Date(cutoff).toISOString() }, 'events past the retention deleted');
      // More left: the next run now, under a key of its own (the hour's key may be this run's).
      await ctx.queue.add([full ? pruneJobSpec(now, `${EVENT_PRUNE_JOB}:more:${now}`) : pruneJobSpec(nextPruneAt(now))]);
    },
    // Not "unfinished since `before`": a recurring job is never finished, so the answer is
    // always the chain's next run, which dedupes against the one the chain queued itself.
    async reconcile() {
      return [pruneJobSpec(nextPruneAt(ctx.now()))];
    },
  };
}
