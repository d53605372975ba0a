/**
 * The queue port: what delivery needs from a job queue, and nothing more, so that the
 * embedded queue (in the store) and a Redis-backed one can both stand behind it.
 */
export interface JobSpec {
  name: string;
  data: unknown;
  /** ms since epoch; the job is not run before. */
  runAt?: number;
  /** Higher runs first; urgent single-recipient sends jump ahead of broadcasts. */
  priority?: number;
  /** Dedupe key: adding a job whose key is already queued does nothing. */
  key?: string;
}

export interface Job {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  /** As added; follow-up jobs inherit it, so an urgent send stays urgent. */
  priority: number;
}

export type JobHandler = (job: Job) => Promise<void>;

export interface QueueDepth {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

export interface Queue {
  /**
   * Adds jobs. `tx` is the store transaction the caller is in, when the queue lives in the
   * same store: then the jobs appear exactly when the transaction commits.
   */
  add(jobs: JobSpec[], tx?: unknown): Promise<void>;
  /** Starts taking jobs; a job whose handler throws is retried with backoff, then kept as failed. */
  start(handlers: Record<string, JobHandler>, opts: { concurrency: number }): void;
  /** Stops taking jobs and waits for the running ones (SIGTERM drains). */
  stop(): Promise<void>;
  depth(): Promise<QueueDepth>;
}

export const PRIORITY = { normal: 0, urgent: 10 } as const;
