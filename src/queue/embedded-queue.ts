import { EventEmitter } from 'node:events';
import { sql, type ExpressionBuilder, type Kysely, type Transaction, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { Logger } from 'pino';
import { prepared, preparedMany } from '../store/prepared.ts';
import type { Database } from '../store/schema.ts';
import type { DialectCapabilities } from '../store/dialect.ts';
import { retryDelay } from './backoff.ts';
import { insertJobRows } from './job-rows.ts';
import { PRIORITY, type BatchHandler, type FailedJob, type Job, type JobHandler, type JobSpec, type Queue, type QueueDepth, type StartOptions } from './queue.ts';

/** ms; the longest a run of urgent jobs keeps ordinary ones from starting in this process (#poll). */
export const URGENT_HOLD_MS = 10_000;

export interface EmbeddedQueueOptions {
  pollInterval: number;
  lease: number;
  /** Attempts before a job that keeps throwing is kept as failed (the dead letters). */
  maxAttempts: number;
  retryBase: number;
  retryMax: number;
  now?: () => number;
  logger: Logger;
}

const jobDone = prepared((db, $: { rowId: number }) => db.deleteFrom('jobs').where('id', '=', $.rowId));
/** A batch's jobs, deleted in one statement (one per count, src/store/prepared.ts). */
const jobsDone = preparedMany((db, $: readonly { rowId: number }[]) => db.deleteFrom('jobs').where('id', 'in', $.map((r) => r.rowId)));

type Claimed = Job & { rowId: number };

/**
 * Due jobs a batch's claim looks through past the first, at most, for more of the batch's
 * kind (#topUp): the look stays a few index pages however many other jobs are due.
 */
const TOP_UP_WINDOW = 4;

/**
 * A durable job queue in the store's own `jobs` table: jobs are added in the same
 * transaction as the rows they refer to, and a job is deleted only after its handler
 * finished, so a crash at any moment leaves it to be run again (at least once).
 */
export class EmbeddedQueue implements Queue {
  readonly #db: Kysely<Database>;
  readonly #caps: DialectCapabilities;
  readonly #opts: EmbeddedQueueOptions;
  readonly #now: () => number;
  readonly #wake = new EventEmitter();
  #handlers: Record<string, JobHandler> = {};
  #batches: Record<string, BatchHandler> = {};
  #running = new Set<Promise<void>>();
  /** Those of #running in the urgent slots. */
  #runningUrgent = new Set<Promise<void>>();
  /** Those of #running that run urgent jobs, in whichever slot: while there are any, no ordinary job starts. */
  #urgentJobs = new Set<Promise<void>>();
  /** When the urgent jobs running now began to hold ordinary ones back (#poll). */
  #holdingSince: number | undefined;
  /** When #claimSerial last looked for lapsed leases, on the queue's clock, by the lowest priority it looked for. */
  #lapsedLookedAt = new Map<number, number>();
  #concurrency = 1;
  #urgentSlots = 0;
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  /** Settles when the poll under way (if any) has claimed and launched what it takes. */
  #pollDone: Promise<void> = Promise.resolve();

  constructor(db: Kysely<Database>, caps: DialectCapabilities, opts: EmbeddedQueueOptions) {
    this.#db = db;
    this.#caps = caps;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  async add(jobs: JobSpec[], tx?: unknown): Promise<void> {
    if (jobs.length === 0) return;
    await insertJobRows((tx as Transaction<Database> | undefined) ?? this.#db, jobs, this.#now());
    // Wake the poller of this process; a job added inside a transaction becomes visible
    // at commit, and the next poll after that finds it.
    setImmediate(() => this.#wake.emit('job'));
  }

  start(handlers: Record<string, JobHandler>, opts: StartOptions): void {
    this.#handlers = handlers;
    this.#batches = opts.batches ?? {};
    this.#concurrency = opts.concurrency;
    this.#urgentSlots = opts.urgentSlots ?? 0;
    this.#stopped = false;
    this.#wake.on('job', this.#onWake);
    void this.#recover().finally(() => this.#schedule(0));
  }

  /**
   * On SQLite only this process works the queue, so a job still marked active was left by
   * a process that died: take it back at once. On a shared store, other workers may be
   * alive; there the lease (kept fresh by running workers) decides.
   */
  async #recover(): Promise<void> {
    if (this.#caps.supportsSkipLocked) return;
    const res = await this.#db.updateTable('jobs').set({ state: 'waiting', locked_until: 0 }).where('state', '=', 'active').executeTakeFirst();
    const n = Number(res.numUpdatedRows);
    if (n > 0) this.#opts.logger.warn({ jobs: n }, 'resuming jobs left unfinished by a previous run');
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.off('job', this.#onWake);
    clearTimeout(this.#timer);
    // A poll already past its check of #stopped may still claim jobs: wait for it, so that
    // what it claims is launched (and waited for below) rather than left active after stop.
    await this.#pollDone;
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async depth(): Promise<QueueDepth> {
    const now = this.#now();
    const row = await this.#db
      .selectFrom('jobs')
      .select([
        sql<number>`sum(case when state = 'waiting' and run_at <= ${now} then 1 else 0 end)`.as('waiting'),
        sql<number>`sum(case when state = 'waiting' and run_at > ${now} then 1 else 0 end)`.as('delayed'),
        sql<number>`sum(case when state = 'active' then 1 else 0 end)`.as('active'),
        sql<number>`sum(case when state = 'failed' then 1 else 0 end)`.as('failed'),
      ])
      .executeTakeFirstOrThrow();
    return {
      waiting: Number(row.waiting ?? 0),
      delayed: Number(row.delayed ?? 0),
      active: Number(row.active ?? 0),
      failed: Number(row.failed ?? 0),
    };
  }

  /** Jobs that failed for good, newest first (the dead-letter view). */
  async failed(limit = 100): Promise<FailedJob[]> {
    const rows = await this.#db.selectFrom('jobs').selectAll().where('state', '=', 'failed').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({ id: String(r.id), name: r.name, data: JSON.parse(r.data), attempts: r.attempts, error: r.last_error }));
  }

  async retryFailed(id: string): Promise<boolean> {
    // Row ids are integers; any other id names no row (and must not reach the query as one).
    if (!/^[1-9]\d{0,15}$/.test(id)) return false;
    return (await this.#requeue(Number(id))) > 0;
  }

  async retryAllFailed(): Promise<number> {
    return this.#requeue();
  }

  /** Failed rows (one, or all) back to waiting, due now, with no attempt made and no error. */
  async #requeue(rowId?: number): Promise<number> {
    let q = this.#db.updateTable('jobs').set({ state: 'waiting', attempts: 0, run_at: this.#now(), locked_until: 0, last_error: null }).where('state', '=', 'failed');
    if (rowId !== undefined) q = q.where('id', '=', rowId);
    const n = Number((await q.executeTakeFirst()).numUpdatedRows);
    if (n > 0) setImmediate(() => this.#wake.emit('job'));
    return n;
  }

  #onWake = () => this.#schedule(0);

  #schedule(delay: number): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#poll(), delay);
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#stopped) return;
    this.#polling = true;
    let done!: () => void;
    this.#pollDone = new Promise((resolve) => (done = resolve));
    try {
      // Urgent jobs first, into the urgent slots and then the ordinary ones; ordinary jobs
      // into what is left of the ordinary slots. Priority orders each claim.
      const urgentFree = this.#urgentSlots - this.#runningUrgent.size;
      let free = this.#concurrency - (this.#running.size - this.#runningUrgent.size);
      const urgent = urgentFree > 0 ? await this.#claim(urgentFree + Math.max(0, free), PRIORITY.urgent) : [];
      urgent.forEach((group, i) => this.#launch(group, i < urgentFree));
      free -= Math.max(0, urgent.length - Math.max(0, urgentFree));
      // While urgent jobs run, no ordinary job starts (the running ones finish): the
      // process's main thread, crypto threads and sockets are one, and an alert sharing
      // them with a broadcast's next batches would go at a fraction of its idle speed.
      // The hold lasts URGENT_HOLD_MS from the first urgent job of a run of them: urgent
      // jobs without end (any key may send small high-urgency notifications) then share the
      // slots as before, rather than stop every app's broadcasts, journeys and webhooks.
      const now = this.#now();
      if (this.#urgentJobs.size === 0) this.#holdingSince = undefined;
      else this.#holdingSince ??= now;
      const holding = this.#holdingSince !== undefined && now - this.#holdingSince < URGENT_HOLD_MS;
      const jobs = free > 0 && !holding && !this.#stopped ? await this.#claim(free) : [];
      for (const group of jobs) this.#launch(group, false);
      // A full claim means more may be waiting: look again at once. So does a batch that
      // came out at its size, though it took a single slot.
      const atSize = (g: Claimed[]) => g.length > 1 && g.length === this.#batches[g[0]!.name]?.size;
      const full = (jobs.length > 0 && jobs.length === free) || (urgent.length > 0 && urgent.length >= urgentFree) || jobs.some(atSize) || urgent.some(atSize);
      this.#schedule(full ? 0 : this.#opts.pollInterval);
    } catch (err) {
      this.#opts.logger.error({ err }, 'queue poll failed');
      this.#schedule(this.#opts.pollInterval);
    } finally {
      this.#polling = false;
      done();
    }
  }

  /** Runs a slot's claim: one job, or a batch of one kind (#claim). */
  #launch(group: Claimed[], urgentSlot: boolean): void {
    const run = (group.length === 1 ? this.#run(group[0]!) : this.#runBatch(group)).finally(() => {
      this.#running.delete(run);
      this.#runningUrgent.delete(run);
      this.#urgentJobs.delete(run);
      this.#schedule(0);
    });
    this.#running.add(run);
    if (urgentSlot) this.#runningUrgent.add(run);
    if (group.some((job) => job.priority >= PRIORITY.urgent)) this.#urgentJobs.add(run);
  }

  /**
   * Takes work for up to `n` slots, in order: due jobs (of priority `minPriority` or more),
   * waiting ones and active ones whose lease ran out (their worker died). A slot is one job,
   * or, for a kind with a batch handler, up to its `size` jobs of that kind: the next due of
   * the kind and priority are taken with the first (#topUp), so a batch may start a little
   * before other kinds' jobs that were due as early.
   */
  async #claim(n: number, minPriority?: number): Promise<Claimed[][]> {
    const now = this.#now();
    const first = this.#caps.supportsSkipLocked ? await this.#claimLocked(n, now, minPriority) : await this.#claimSerial(n, now, minPriority);
    const rows = [...first, ...(await this.#topUp(first, now))];
    rows.sort((a, b) => b.priority - a.priority || Number(a.run_at) - Number(b.run_at) || Number(a.id) - Number(b.id));
    const groups: Claimed[][] = [];
    const open = new Map<string, Claimed[]>();
    for (const r of rows) {
      const job: Claimed = { rowId: Number(r.id), id: String(r.id), name: r.name, data: JSON.parse(r.data), attempts: r.attempts, priority: r.priority };
      const batch = this.#batches[job.name];
      const group = batch ? open.get(job.name) : undefined;
      if (group && group.length < batch!.size) {
        group.push(job);
        continue;
      }
      const fresh = [job];
      groups.push(fresh);
      if (batch) open.set(job.name, fresh);
    }
    return groups;
  }

  /**
   * For each kind with a batch handler among `taken` (by priority), takes up to size - 1
   * more of its waiting due jobs per job of it taken, the earliest first, looking through at
   * most TOP_UP_WINDOW times as many due jobs of that priority (other kinds' among them).
   */
  async #topUp(taken: readonly { name: string; priority: number }[], now: number) {
    const wanted = new Map<string, { name: string; priority: number; n: number }>();
    for (const t of taken) {
      const batch = this.#batches[t.name];
      if (!batch || batch.size < 2) continue;
      const key = `${t.priority}\n${t.name}`;
      const w = wanted.get(key) ?? { name: t.name, priority: t.priority, n: 0 };
      w.n += batch.size - 1;
      wanted.set(key, w);
    }
    const more = [];
    for (const { name, priority, n } of wanted.values()) {
      const due = this.#db
        .selectFrom('jobs')
        .select(['id', 'name'])
        .where('state', '=', 'waiting')
        .where('priority', '=', priority)
        .where('run_at', '<=', now)
        .orderBy('run_at')
        .orderBy('id')
        .limit(n * TOP_UP_WINDOW)
        // Another worker's claim skips what this one is looking through, as #claimLocked's does.
        .$if(this.#caps.supportsSkipLocked, (q) => q.forUpdate().skipLocked())
        .as('due');
      const ids = this.#db.selectFrom(due).select('due.id').where('due.name', '=', name).limit(n);
      more.push(...(await this.#take(this.#db.updateTable('jobs').where('id', 'in', ids).where('state', '=', 'waiting'), now)));
    }
    return more;
  }

  /** PostgreSQL: one statement; rows another worker is claiming are skipped, not waited for. */
  async #claimLocked(n: number, now: number, minPriority: number | undefined) {
    const candidates = this.#db
      .selectFrom('jobs')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('state', '=', 'waiting'), eb('run_at', '<=', now)]), this.#leaseRanOut(eb, now)]))
      .$if(minPriority !== undefined, (q) => q.where('priority', '>=', minPriority!))
      .orderBy('priority', 'desc')
      .orderBy('run_at')
      .orderBy('id')
      .limit(n)
      .forUpdate()
      .skipLocked();
    return this.#take(this.#db.updateTable('jobs').where('id', 'in', candidates), now);
  }

  /**
   * SQLite (one process, one poll at a time): the same jobs in the same order as
   * #claimLocked, found by index seeks rather than one query. An `or` over the two states,
   * ordered by priority, makes SQLite read every waiting job and sort them, on each poll:
   * with a hundred thousand journey timers waiting for tomorrow, that was milliseconds a
   * claim. Here each priority present among waiting jobs (found by a seek per priority on
   * jobs_due) gives its due jobs in run_at order, and the active jobs, few, are read for
   * lapsed leases; the first `n` of them all, in the order of #claimLocked, are taken.
   */
  async #claimSerial(n: number, now: number, minPriority: number | undefined) {
    const floor = minPriority ?? Number.MIN_SAFE_INTEGER;
    type Candidate = { id: number; priority: number; run_at: number };
    // A lapsed lease is a dead worker's job: rare, and looked for four times a lease rather
    // than on every poll (a busy queue polls thousands of times a second, and the look was
    // its costliest statement). Taken over at most a quarter of a lease later than at once;
    // a look that fills the claim looks again on the next poll.
    const lookedAt = this.#lapsedLookedAt.get(floor) ?? Number.NEGATIVE_INFINITY;
    const lookForLapsed = now - lookedAt >= this.#opts.lease / 4 || now < lookedAt;
    const found: Candidate[] = lookForLapsed
      ? await this.#db
          .selectFrom('jobs')
          .select(['id', 'priority', 'run_at'])
          .where((eb) => this.#leaseRanOut(eb, now))
          .where('priority', '>=', floor)
          .orderBy('priority', 'desc')
          .orderBy('run_at')
          .orderBy('id')
          .limit(n)
          .execute()
      : [];
    if (lookForLapsed) this.#lapsedLookedAt.set(floor, found.length < n ? now : Number.NEGATIVE_INFINITY);
    let waiting = 0;
    for (let below: number | null = null; waiting < n; ) {
      const top: { priority: number | null } | undefined = await this.#db
        .selectFrom('jobs')
        .select((eb) => eb.fn.max('priority').as('priority'))
        .where('state', '=', 'waiting')
        .where('priority', '>=', floor)
        .$if(below !== null, (q) => q.where('priority', '<', below!))
        .executeTakeFirst();
      const priority: number | null = top?.priority ?? null;
      if (priority === null) break;
      const due = await this.#db
        .selectFrom('jobs')
        .select(['id', 'priority', 'run_at'])
        .where('state', '=', 'waiting')
        .where('priority', '=', priority)
        .where('run_at', '<=', now)
        .orderBy('run_at')
        .orderBy('id')
        .limit(n - waiting)
        .execute();
      found.push(...due);
      waiting += due.length;
      below = priority;
    }
    if (found.length === 0) return [];
    found.sort((a, b) => b.priority - a.priority || a.run_at - b.run_at || a.id - b.id);
    const ids = found.slice(0, n).map((c) => c.id);
    // The state is looked at again in the update itself: a job that changed since it was read is not taken.
    const rows = await this.#take(
      this.#db.updateTable('jobs').where('id', 'in', ids).where((eb) => eb.or([eb.and([eb('state', '=', 'waiting'), eb('run_at', '<=', now)]), this.#leaseRanOut(eb, now)])),
      now,
    );
    return rows.sort((a, b) => b.priority - a.priority || a.run_at - b.run_at || Number(a.id) - Number(b.id));
  }

  #leaseRanOut(eb: ExpressionBuilder<Database, 'jobs'>, now: number) {
    return eb.and([eb('state', '=', 'active'), eb('locked_until', '<', now)]);
  }

  #take(update: UpdateQueryBuilder<Database, 'jobs', 'jobs', UpdateResult>, now: number) {
    return update
      .set((eb) => ({ state: 'active', locked_until: now + this.#opts.lease, attempts: eb('attempts', '+', 1) }))
      .returningAll()
      .execute();
  }

  /**
   * A batch of one kind: its handler once for all of them, then the jobs deleted together.
   * If either throws, each job is run again on its own (#run), failing or retried alone.
   */
  async #runBatch(jobs: Claimed[]): Promise<void> {
    const rows = jobs.map((j) => ({ rowId: j.rowId }));
    const ids = jobs.map((j) => j.rowId);
    const heartbeat = setInterval(() => {
      void this.#db
        .updateTable('jobs')
        .set({ locked_until: this.#now() + this.#opts.lease })
        .where('id', 'in', ids)
        .execute()
        .catch((err: unknown) => this.#opts.logger.warn({ err }, 'could not renew job lease'));
    }, Math.max(50, this.#opts.lease / 3));
    try {
      await this.#batches[jobs[0]!.name]!.run(jobs);
      await jobsDone.affected(this.#db, rows);
      return;
    } catch (err) {
      this.#opts.logger.warn({ err, job: jobs[0]!.name, jobs: jobs.length }, 'job batch failed; running its jobs one by one');
    } finally {
      clearInterval(heartbeat);
    }
    for (const job of jobs) await this.#run(job);
  }

  async #run(job: Claimed): Promise<void> {
    const handler = this.#handlers[job.name];
    // Renew the lease while the handler runs, so only a dead worker's jobs are taken over.
    const heartbeat = setInterval(() => {
      void this.#db
        .updateTable('jobs')
        .set({ locked_until: this.#now() + this.#opts.lease })
        .where('id', '=', job.rowId)
        .execute()
        .catch((err: unknown) => this.#opts.logger.warn({ err }, 'could not renew job lease'));
    }, Math.max(50, this.#opts.lease / 3));
    try {
      if (!handler) throw new Error(`no handler for job ${job.name}`);
      await handler(job);
      await jobDone.affected(this.#db, { rowId: job.rowId });
    } catch (err) {
      const final = job.attempts >= this.#opts.maxAttempts;
      this.#opts.logger.error({ err, job: job.name, attempts: job.attempts, final }, 'job failed');
      await this.#db
        .updateTable('jobs')
        .set({
          state: final ? 'failed' : 'waiting',
          run_at: this.#now() + retryDelay(job.attempts, this.#opts.retryBase, this.#opts.retryMax),
          locked_until: 0,
          last_error: String((err as Error)?.stack ?? err).slice(0, 2000),
        })
        .where('id', '=', job.rowId)
        .execute()
        .catch((e: unknown) => this.#opts.logger.error({ err: e }, 'could not record job failure'));
    } finally {
      clearInterval(heartbeat);
    }
  }
}
