import type { BatchHandler, JobHandler, JobSpec } from './queue.ts';

/**
 * One kind of job, defined beside its handler by the module that owns the work (the
 * fan-out and deliver jobs in src/delivery/jobs.ts): its name in the queue, what runs a
 * job of it, and how its jobs are found again in the store when the queue lost them.
 * The worker takes whatever kinds it is given; it lists none of its own.
 */
export interface JobKind {
  readonly name: string;
  readonly handler: JobHandler;
  /** Runs several of its due jobs in one call, where the queue can (Queue.start's `batches`). */
  readonly batch?: BatchHandler;
  /**
   * The jobs of this kind whose work the store still holds unfinished, untouched since
   * before `before` (ms since epoch), to be added again. Their keys dedupe against jobs
   * the queue still holds, so only lost ones come back (src/delivery/reconcile.ts).
   */
  reconcile?(before: number): Promise<JobSpec[]>;
}

/**
 * The handler table `Queue.start` takes, one entry per kind.
 * @example queue.start(jobHandlers(deliveryJobs(ctx, deps)), { concurrency: 8 });
 */
export function jobHandlers(kinds: readonly JobKind[]): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {};
  for (const kind of kinds) {
    // Two kinds under one name would take each other's jobs: a wiring mistake, refused at start.
    if (Object.hasOwn(handlers, kind.name)) throw new Error(`two job kinds are named ${kind.name}`);
    handlers[kind.name] = kind.handler;
  }
  return handlers;
}

/** The batch handlers of the kinds that have one, for `Queue.start`'s `batches`. */
export function jobBatches(kinds: readonly JobKind[]): Record<string, BatchHandler> {
  return Object.fromEntries(kinds.filter((k) => k.batch !== undefined).map((k) => [k.name, k.batch!]));
}
