import { Queue as BullQueue, Worker, type Job as BullJob, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { retryDelay } from './backoff.ts';
import type { Database } from '../store/schema.ts';
import { bullmqJobId, bullmqPriority, portPriority } from './bullmq-mapping.ts';
import { insertJobRows } from './job-rows.ts';
import { OutboxRelay, type OutboxJob } from './outbox-relay.ts';
import type { FailedJob, JobHandler, JobSpec, Queue, QueueDepth } from './queue.ts';

export interface BullmqQueueOptions {
  /** `redis://…` of the Redis that holds the queue. */
  redisUrl: string;
  /** Prefix of every Redis key: deployments (or test files) that share one Redis stay apart. */
  prefix: string;
  /** The store whose `jobs` table is the outbox for jobs added inside a transaction. */
  db: Kysely<Database>;
  /** ms; a job whose worker stopped renewing its lock this long ago is taken over. */
  lease: number;
  /** ms between looks at the outbox for rows that were not relayed at once. */
  pollInterval: number;
  /** Attempts before a job that keeps throwing is kept as failed (the dead letters). */
  maxAttempts: number;
  retryBase: number;
  retryMax: number;
  /** Turns `runAt` into a delay; BullMQ itself keeps time with the machine's clock. */
  now?: () => number;
  logger: Logger;
}

/** The one BullMQ queue Carillon uses; jobs are told apart by name. */
const QUEUE_NAME = 'jobs';
/** Our backoff (exponential with full jitter, ./backoff.ts) under BullMQ's custom-strategy hook. */
const BACKOFF_TYPE = 'carillon';
/** s; finished job ids stay this long, so that a key added again after its job ran is still dropped. */
const KEEP_COMPLETED = 24 * 3600;

/**
 * The queue on Redis, for the scale-out set-up: many worker processes on many machines
 * take jobs from one BullMQ queue.
 *
 * Jobs added with a store transaction cannot go to Redis in that transaction. Sent at
 * once, they could run before it commits, and a handler would find no row: the fan-out
 * would end a notification that is still being written, a deliver job would drop its
 * batch. So they go through the store's `jobs` table as an outbox (./outbox-relay.ts) and
 * reach Redis when, and only if, the transaction commits. Jobs added without a
 * transaction go to Redis directly.
 *
 * A worker that dies mid-job leaves its lock to expire; BullMQ's stalled-job check (every
 * third of a lease) then puts the job back, so it is taken over within about a lease.
 */
export class BullmqQueue implements Queue {
  readonly #opts: BullmqQueueOptions;
  readonly #now: () => number;
  readonly #relay: OutboxRelay;
  #queueConnection: Redis | undefined;
  #workerConnection: Redis | undefined;
  #queue: BullQueue | undefined;
  #worker: Worker | undefined;

  constructor(opts: BullmqQueueOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#relay = new OutboxRelay(opts.db, (jobs) => this.#push(jobs), { pollInterval: opts.pollInterval, now: this.#now, logger: opts.logger });
  }

  async add(jobs: JobSpec[], tx?: unknown): Promise<void> {
    if (jobs.length === 0) return;
    if (tx === undefined) return this.#push(jobs);
    await insertJobRows(tx as Transaction<Database>, OutboxRelay.keyed(jobs), this.#now());
    this.#relay.nudge();
  }

  start(handlers: Record<string, JobHandler>, opts: { concurrency: number }): void {
    const { lease, maxAttempts, retryBase, retryMax, logger } = this.#opts;
    const worker = new Worker(
      QUEUE_NAME,
      async (job: BullJob) => {
        const handler = handlers[job.name];
        if (!handler) throw new Error(`no handler for job ${job.name}`);
        try {
          await handler({ id: job.id!, name: job.name, data: job.data, attempts: job.attemptsStarted, priority: portPriority(job.opts.priority) });
        } catch (err) {
          // BullMQ keeps a stack only for Error objects; the dead-letter view needs some text.
          throw err instanceof Error ? err : new Error(String(err));
        }
      },
      {
        // BullMQ requires maxRetriesPerRequest: null for workers: a blocking read waits
        // through a reconnect instead of failing the worker.
        connection: (this.#workerConnection ??= this.#connect({ maxRetriesPerRequest: null })),
        prefix: this.#opts.prefix,
        concurrency: opts.concurrency,
        lockDuration: lease,
        stalledInterval: Math.max(1, Math.round(lease / 3)),
        // BullMQ's default (1) fails a job the second time its worker dies under it. A crash
        // is retried like a throw instead, and a job that keeps killing its workers still
        // ends among the failed rather than taking them all down in turn.
        maxStalledCount: maxAttempts,
        settings: { backoffStrategy: (attemptsMade: number) => retryDelay(attemptsMade, retryBase, retryMax) },
      },
    );
    worker.on('failed', (job, err) => {
      const final = job !== undefined && job.attemptsMade >= maxAttempts;
      logger.error({ err, job: job?.name, attempts: job?.attemptsStarted, final }, 'job failed');
    });
    worker.on('error', (err) => logger.error({ err }, 'queue worker error'));
    this.#worker = worker;
    this.#relay.start();
  }

  async stop(): Promise<void> {
    // The worker first: its running handlers may still add jobs, which the relay's last
    // look then sends. close() lets running jobs finish and takes no new ones.
    await this.#worker?.close();
    this.#worker = undefined;
    await this.#relay.stop();
    await this.#queue?.close();
    this.#queue = undefined;
    await Promise.all([this.#queueConnection?.quit(), this.#workerConnection?.quit()]);
    this.#queueConnection = this.#workerConnection = undefined;
  }

  async depth(): Promise<QueueDepth> {
    const [c, outbox] = await Promise.all([this.#producer().getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed'), this.#relay.pending()]);
    // Every job has a BullMQ priority (see bullmqPriority), so waiting ones are "prioritized".
    // Jobs still in the outbox are counted too: they were added, and a relay is on its way.
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + outbox.due,
      delayed: (c.delayed ?? 0) + outbox.later,
      active: c.active ?? 0,
      failed: c.failed ?? 0,
    };
  }

  async failed(limit = 100): Promise<FailedJob[]> {
    const jobs = await this.#producer().getFailed(0, limit - 1);
    return jobs.map((j) => ({ id: j.id!, name: j.name, data: j.data, attempts: j.attemptsStarted, error: j.stacktrace?.at(-1) ?? j.failedReason ?? null }));
  }

  async retryFailed(id: string): Promise<boolean> {
    const job = await this.#producer().getJob(id);
    if (!job || !(await job.isFailed())) return false;
    return this.#retry(job);
  }

  /**
   * BullMQ's Queue.retryJobs() keeps the attempts made, so a retried job would fail for
   * good at its first error: each job is retried by itself, attempts reset.
   */
  async retryAllFailed(): Promise<number> {
    let retried = 0;
    const seen = new Set<string>();
    for (;;) {
      // Each retried job leaves the failed set, so the first page is always the next one.
      const page = (await this.#producer().getFailed(0, 99)).filter((j) => !seen.has(j.id!));
      if (page.length === 0) return retried;
      for (const job of page) {
        seen.add(job.id!);
        if (await this.#retry(job)) retried++;
      }
    }
  }

  async #retry(job: BullJob): Promise<boolean> {
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      return true;
    } catch (err) {
      // Retried meanwhile by another request or process: no longer failed.
      this.#opts.logger.warn({ err, jobId: job.id }, 'failed job could not be retried');
      return false;
    }
  }

  async #push(jobs: (JobSpec | OutboxJob)[]): Promise<void> {
    await this.#producer().addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: this.#jobOptions(j) })));
  }

  #jobOptions(j: JobSpec): JobsOptions {
    return {
      // BullMQ ignores an add whose id exists: that is the port's dedupe by key.
      ...(j.key !== undefined ? { jobId: bullmqJobId(j.key) } : {}),
      delay: j.runAt === undefined ? 0 : Math.max(0, j.runAt - this.#now()),
      priority: bullmqPriority(j.priority ?? 0),
      attempts: this.#opts.maxAttempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { age: KEEP_COMPLETED },
      // Failed jobs stay, as in the embedded queue: they are the dead letters.
      removeOnFail: false,
      stackTraceLimit: 1,
    };
  }

  /** The producer side, opened on first use and again after stop(), so add() works in any state. */
  #producer(): BullQueue {
    if (!this.#queue) {
      // Fail fast while Redis is away, as BullMQ advises for producers: an add is retried
      // by its caller (the outbox keeps its rows, a handler's job is retried), and depth()
      // must answer the metrics scrape rather than hang.
      this.#queueConnection ??= this.#connect({ enableOfflineQueue: false });
      this.#queue = new BullQueue(QUEUE_NAME, { connection: this.#queueConnection, prefix: this.#opts.prefix });
      this.#queue.on('error', (err) => this.#opts.logger.warn({ err }, 'queue error'));
    }
    return this.#queue;
  }

  #connect(options: RedisOptions): Redis {
    const connection = new Redis(this.#opts.redisUrl, options);
    // Without a listener ioredis prints every reconnection error to stderr.
    connection.on('error', (err) => this.#opts.logger.warn({ err }, 'redis connection error'));
    return connection;
  }
}
