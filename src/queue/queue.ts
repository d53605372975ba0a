/**
 * The queue port: what delivery needs from a job queue, and nothing more, so that the
 * embedded queue (in the store) and a Redis-backed one can both stand behind it.
 * test/queue/queue-contract.test.ts holds both to the same behaviour.
 */
export interface JobSpec {
  name: string;
  data: unknown;
  /** ms since epoch; the job is not run before. */
  runAt?: number;
  /** Higher runs first; urgent single-recipient sends jump ahead of broadcasts. */
  priority?: number;
  /**
   * Dedupe key: adding a job whose key is already queued, running or kept as failed does
   * nothing. Once the job has finished, an implementation may go on ignoring its key for
   * a while (the BullMQ queue keeps finished ids for a day), so a key names one piece of work.
   */
  key?: string;
}

export interface Job {
  id: string;
  name: string;
  data: unknown;
  /** 1 on the first run; each retry, and each take-over after a crash, counts one more. */
  attempts: number;
  /** As added; follow-up jobs inherit it, so an urgent send stays urgent. */
  priority: number;
}

export type JobHandler = (job: Job) => Promise<void>;

/**
 * Runs several due jobs of one kind in one call and one worker slot (a group of journey
 * timers moved in one commit rather than one each). `size` is the most one call is given.
 * A call that throws has each of its jobs run again on its own by the kind's handler, so
 * a job that keeps failing fails alone: the work of a batch is done at least once, as
 * every job's is.
 */
export interface BatchHandler {
  readonly size: number;
  run(jobs: Job[]): Promise<void>;
}

export interface QueueDepth {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

/** A job that kept throwing until it ran out of attempts: the dead letters, kept for the operator. */
export interface FailedJob {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  /** The last attempt's error, with its stack when there was one. */
  error: string | null;
}

export interface StartOptions {
  concurrency: number;
  urgentSlots?: number;
  batches?: Record<string, BatchHandler>;
}

export interface Queue {
  /**
   * Adds jobs. `tx` is the store transaction the caller is in: the jobs appear exactly
   * when it commits, and never if it rolls back, so a handler always finds the rows that
   * were written with its job.
   */
  add(jobs: JobSpec[], tx?: unknown): Promise<void>;
  /**
   * Starts taking jobs; a job whose handler throws is retried with backoff, then kept as
   * failed. `urgentSlots` are slots beside `concurrency` that only jobs of priority
   * PRIORITY.urgent or more take: a broadcast holding every ordinary slot does not hold an
   * alert (an implementation without them runs urgent jobs first, in the ordinary slots).
   * `batches` are kinds whose due jobs may be run several at a time (BatchHandler); an
   * implementation without batches runs each of their jobs by its handler.
   */
  start(handlers: Record<string, JobHandler>, opts: StartOptions): void;
  /** Stops taking jobs and waits for the running ones (SIGTERM drains). */
  stop(): Promise<void>;
  depth(): Promise<QueueDepth>;
  /** Jobs that failed for good, newest first. */
  failed(limit?: number): Promise<FailedJob[]>;
  /**
   * Puts a failed job back as waiting, due now, its attempts counted from zero again (the
   * operator fixed what made it fail). False when no failed job has this id: it was
   * retried already, or never failed.
   */
  retryFailed(id: string): Promise<boolean>;
  /** retryFailed() for every failed job; the number put back. */
  retryAllFailed(): Promise<number>;
}

export const PRIORITY = { normal: 0, urgent: 10 } as const;
