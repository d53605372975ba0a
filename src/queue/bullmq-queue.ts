import { Queue as BullQueue, Worker, type Job as BullJob, type JobsOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { retryDelay } from './backoff.ts';
import type { Database } from '../store/schema.ts';
import { LANE_QUEUES, bullmqJobId, bullmqPriority, laneJobId, laneOf, portJobId, portPriority, type Lane } from './bullmq-mapping.ts';
import { insertJobRows } from './job-rows.ts';
import { OutboxRelay, type OutboxJob } from './outbox-relay.ts';
import type { FailedJob, JobHandler, JobSpec, Queue, QueueDepth, StartOptions } from './queue.ts';

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
 *
 * Urgent jobs (PRIORITY.urgent or more) have a BullMQ queue of their own, taken by a worker
 * of their own with `urgentSlots` slots: a priority alone would only put them first among
 * the waiting, while a broadcast's jobs hold every slot until they end. A job is retried,
 * and taken over after a crash, in its own queue, and its follow-ups inherit its priority,
 * so an urgent job stays urgent. Jobs are told apart by name within a queue.
 */
export class BullmqQueue implements Queue {
  readonly #opts: BullmqQueueOptions;
  readonly #now: () => number;
  readonly #relay: OutboxRelay;
  #queueConnection: Redis | undefined;
  /** One per worker: a worker's blocking reads hold its connection. */
  #workerConnections: Redis[] = [];
  #queues: Partial<Record<Lane, BullQueue>> = {};
  #workers: Worker[] = [];

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

  /** Batches (`opts.batches`) are not taken: BullMQ hands a worker one job at a time, each run by its handler. */
  start(handlers: Record<string, JobHandler>, opts: StartOptions): void {
    // The urgent queue always has a worker: with no slots of its own set, one.
    this.#workers = [this.#startWorker('normal', handlers, opts.concurrency), this.#startWorker('urgent', handlers, Math.max(1, opts.urgentSlots ?? 0))];
    this.#relay.start();
  }

  #startWorker(lane: Lane, handlers: Record<string, JobHandler>, concurrency: number): Worker {
    const { lease, maxAttempts, retryBase, retryMax, logger } = this.#opts;
    // BullMQ requires maxRetriesPerRequest: null for workers: a blocking read waits
    // through a reconnect instead of failing the worker.
    const connection = this.#connect({ maxRetriesPerRequest: null });
    this.#workerConnections.push(connection);
    const worker = new Worker(
      LANE_QUEUES[lane],
      async (job: BullJob) => {
        const handler = handlers[job.name];
        if (!handler) throw new Error(`no handler for job ${job.name}`);
        try {
          await handler({ id: portJobId(lane, job.id!), name: job.name, data: job.data, attempts: job.attemptsStarted, priority: portPriority(job.opts.priority) });
        } catch (err) {
          // BullMQ keeps a stack only for Error objects; the dead-letter view needs some text.
          throw err instanceof Error ? err : new Error(String(err));
        }
      },
      {
        connection,
        prefix: this.#opts.prefix,
        concurrency,
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
      logger.error({ err, job: job?.name, lane, attempts: job?.attemptsStarted, final }, 'job failed');
    });
    worker.on('error', (err) => logger.error({ err, lane }, 'queue worker error'));
    return worker;
  }

  async stop(): Promise<void> {
    // The workers first: their running handlers may still add jobs, which the relay's last
    // look then sends. close() lets running jobs finish and takes no new ones.
    // A worker closed while it is still connecting leaves a command of its start-up to fail
    // after its connection has gone ("Connection is closed"), unhandled: a stop() right after
    // start() (a SIGTERM at boot, a test) lets each get ready first, for a few seconds at most.
    await Promise.all(this.#workers.map((w) => settledWithin(w.waitUntilReady(), READY_WAIT_MS)));
    await Promise.all(this.#workers.map((w) => w.close()));
    this.#workers = [];
    await this.#relay.stop();
    await Promise.all(Object.values(this.#queues).map((q) => q.close()));
    this.#queues = {};
    // A connection that is closing or closed already rejects quit(): it is dropped instead, as
    // the rate limiter does, so that stop() always ends with no socket left open.
    await Promise.all([this.#queueConnection, ...this.#workerConnections].map((c) => c && closeConnection(c)));
    this.#queueConnection = undefined;
    this.#workerConnections = [];
  }

  async depth(): Promise<QueueDepth> {
    const [normal, urgent, outbox] = await Promise.all([this.#counts('normal'), this.#counts('urgent'), this.#relay.pending()]);
    // Every job has a BullMQ priority (see bullmqPriority), so waiting ones are "prioritized".
    // Jobs still in the outbox are counted too: they were added, and a relay is on its way.
    const sum = (state: string) => (normal[state] ?? 0) + (urgent[state] ?? 0);
    return { waiting: sum('waiting') + sum('prioritized') + outbox.due, delayed: sum('delayed') + outbox.later, active: sum('active'), failed: sum('failed') };
  }

  #counts(lane: Lane): Promise<Record<string, number>> {
    return this.#producer(lane).getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'failed');
  }

  async failed(limit = 100): Promise<FailedJob[]> {
    const pages = await Promise.all((['normal', 'urgent'] as const).map(async (lane) => (await this.#producer(lane).getFailed(0, limit - 1)).map((job) => ({ lane, job }))));
    return pages
      .flat()
      .sort((a, b) => (b.job.finishedOn ?? 0) - (a.job.finishedOn ?? 0))
      .slice(0, limit)
      .map(({ lane, job: j }) => ({ id: portJobId(lane, j.id!), name: j.name, data: j.data, attempts: j.attemptsStarted, error: j.stacktrace?.at(-1) ?? j.failedReason ?? null }));
  }

  async retryFailed(id: string): Promise<boolean> {
    const { lane, id: bullId } = laneJobId(id);
    const job = await this.#producer(lane).getJob(bullId);
    if (!job || !(await job.isFailed())) return false;
    return this.#retry(job);
  }

  /**
   * BullMQ's Queue.retryJobs() keeps the attempts made, so a retried job would fail for
   * good at its first error: each job is retried by itself, attempts reset.
   */
  async retryAllFailed(): Promise<number> {
    let retried = 0;
    for (const lane of ['urgent', 'normal'] as const) {
      const seen = new Set<string>();
      for (;;) {
        // Each retried job leaves the failed set, so the first page is always the next one.
        const page = (await this.#producer(lane).getFailed(0, 99)).filter((j) => !seen.has(j.id!));
        if (page.length === 0) break;
        for (const job of page) {
          seen.add(job.id!);
          if (await this.#retry(job)) retried++;
        }
      }
    }
    return retried;
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
    const byLane: Record<Lane, (JobSpec | OutboxJob)[]> = { normal: [], urgent: [] };
    for (const j of jobs) byLane[laneOf(j.priority)].push(j);
    await Promise.all(
      (['urgent', 'normal'] as const).map(async (lane) => {
        const list = await this.#notInOtherLane(lane, byLane[lane]);
        if (list.length > 0) await this.#producer(lane).addBulk(list.map((j) => ({ name: j.name, data: j.data, opts: this.#jobOptions(j) })));
      }),
    );
  }

  /**
   * The port's dedupe holds across lanes: a key already held by the other lane's queue (a
   * job added again at another priority, as after an upgrade) is dropped, as BullMQ drops
   * one its own queue holds.
   */
  async #notInOtherLane(lane: Lane, jobs: (JobSpec | OutboxJob)[]): Promise<(JobSpec | OutboxJob)[]> {
    const keyed = jobs.filter((j) => j.key !== undefined);
    if (keyed.length === 0) return jobs;
    const other = this.#producer(lane === 'urgent' ? 'normal' : 'urgent');
    // The producers' connection, once ready (BullMQ's client waits for it): one round trip for every key.
    // Its own connection, not this.#queueConnection: a stop() meanwhile clears that one.
    const pipeline = ((await other.client) as unknown as Redis).pipeline();
    for (const j of keyed) pipeline.exists(`${other.keys['']}${bullmqJobId(j.key!)}`);
    const held = new Set<string>();
    const answers = (await pipeline.exec()) ?? [];
    answers.forEach(([err, n], i) => {
      if (err) throw err;
      if (n === 1) held.add(keyed[i]!.key!);
    });
    return held.size === 0 ? jobs : jobs.filter((j) => j.key === undefined || !held.has(j.key));
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

  /** The producer side of a lane, opened on first use and again after stop(), so add() works in any state. */
  #producer(lane: Lane): BullQueue {
    let queue = this.#queues[lane];
    if (!queue) {
      // Fail fast while Redis is away, as BullMQ advises for producers: an add is retried
      // by its caller (the outbox keeps its rows, a handler's job is retried), and depth()
      // must answer the metrics scrape rather than hang.
      this.#queueConnection ??= this.#connect({ enableOfflineQueue: false });
      queue = new BullQueue(LANE_QUEUES[lane], { connection: this.#queueConnection, prefix: this.#opts.prefix });
      queue.on('error', (err) => this.#opts.logger.warn({ err, lane }, 'queue error'));
      this.#queues[lane] = queue;
    }
    return queue;
  }

  #connect(options: RedisOptions): Redis {
    const connection = new Redis(this.#opts.redisUrl, options);
    // Without a listener ioredis prints every reconnection error to stderr.
    connection.on('error', (err) => this.#opts.logger.warn({ err }, 'redis connection error'));
    return connection;
  }
}

/**
 * QUIT, once the connection can send it: one still connecting (a stop() right after start)
 * refuses commands, so it is given the time to connect; one that cannot is dropped.
 */
async function closeConnection(c: Redis): Promise<void> {
  if (c.status === 'end') return;
  if (c.status !== 'ready') await settledWithin(new Promise((resolve) => c.once('ready', resolve)), READY_WAIT_MS);
  await c.quit().then(
    () => undefined,
    () => c.disconnect(),
  );
}

/** ms stop() waits for a worker or connection still connecting before it closes it anyway. */
const READY_WAIT_MS = 5_000;

/** Settles when `p` settles or after `ms`, whichever comes first; never rejects. */
function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    p.then(
      () => (clearTimeout(timer), resolve()),
      () => (clearTimeout(timer), resolve()),
    );
  });
}
