import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.ts';
import type { JobSpec } from './queue.ts';

/** A job read back from the outbox; it always has a key, so relaying it twice adds it once. */
export type OutboxJob = JobSpec & { key: string };

export interface OutboxRelayOptions {
  /** ms between looks at the outbox while started (worker processes). */
  pollInterval: number;
  /** Rows moved per round trip. */
  batchSize?: number;
  now?: () => number;
  logger: Logger;
}

/**
 * ms after a transactional add at which the outbox is looked at again: the caller's
 * transaction commits a moment after `add` returns, and only then can its rows be seen.
 * Later than that, the polling of the worker processes finds them.
 */
const NUDGE_DELAYS = [0, 10, 50, 200];

/**
 * The transactional outbox of a queue that lives outside the store: jobs added inside a
 * store transaction are written to the store's `jobs` table in that transaction, and this
 * relay moves the committed ones to the queue. So a job appears only if the transaction
 * commits, and only after it did: a handler never runs before the rows it was added with
 * are visible, and a rolled-back job never runs.
 *
 * Rows are deleted only after the queue took them, so a crash in between sends them again;
 * the queue drops the copy by key. Several processes may relay at once for the same reason.
 */
export class OutboxRelay {
  readonly #db: Kysely<Database>;
  readonly #send: (jobs: OutboxJob[]) => Promise<void>;
  readonly #opts: Required<Omit<OutboxRelayOptions, 'now'>> & { now: () => number };
  readonly #timers = new Set<NodeJS.Timeout>();
  #pollTimer: NodeJS.Timeout | undefined;
  #polling = false;
  #closed = false;
  #inFlight: Promise<void> | undefined;
  #again = false;

  constructor(db: Kysely<Database>, send: (jobs: OutboxJob[]) => Promise<void>, opts: OutboxRelayOptions) {
    this.#db = db;
    this.#send = send;
    this.#opts = { batchSize: 500, now: Date.now, ...opts };
  }

  /** Gives jobs without a key one of their own, so that a second relay of their row is dropped. */
  static keyed(jobs: JobSpec[]): OutboxJob[] {
    return jobs.map((j) => ({ ...j, key: j.key ?? `job:${randomUUID()}` }));
  }

  /** Looks at the outbox now and a few times shortly after: a transaction just added rows. */
  nudge(): void {
    this.#closed = false;
    for (const ms of NUDGE_DELAYS) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        void this.relay();
      }, ms);
      this.#timers.add(timer);
    }
  }

  /** Looks at the outbox every poll interval until stopped, for rows whose adder died before relaying them. */
  start(): void {
    this.#closed = false;
    this.#polling = true;
    this.#schedulePoll(0);
  }

  /** Stops looking, after a last look that sends what the drained handlers committed. */
  async stop(): Promise<void> {
    this.#closed = true;
    this.#polling = false;
    clearTimeout(this.#pollTimer);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.#inFlight;
    await this.#relayAll();
  }

  #schedulePoll(ms: number): void {
    clearTimeout(this.#pollTimer);
    this.#pollTimer = setTimeout(() => {
      void this.relay().finally(() => {
        if (this.#polling && !this.#closed) this.#schedulePoll(this.#opts.pollInterval);
      });
    }, ms);
  }

  /** Committed rows not yet relayed: jobs of the queue all the same, due or not. */
  async pending(): Promise<{ due: number; later: number }> {
    const now = this.#opts.now();
    const row = await this.#db
      .selectFrom('jobs')
      .select([sql<number>`sum(case when run_at <= ${now} then 1 else 0 end)`.as('due'), sql<number>`sum(case when run_at > ${now} then 1 else 0 end)`.as('later')])
      .where('state', '=', 'waiting')
      .executeTakeFirstOrThrow();
    return { due: Number(row.due ?? 0), later: Number(row.later ?? 0) };
  }

  /** Sends every committed outbox row; concurrent calls share one pass (and ask for one more). */
  relay(): Promise<void> {
    if (this.#inFlight) {
      this.#again = true;
      return this.#inFlight;
    }
    this.#inFlight = (async () => {
      do {
        this.#again = false;
        await this.#relayAll();
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #relayAll(): Promise<void> {
    try {
      for (;;) {
        const now = this.#opts.now();
        // Active rows with a lapsed lease were left by an embedded queue that died: they are
        // due too, so switching a store from the embedded queue to this one loses nothing.
        const rows = await this.#db
          .selectFrom('jobs')
          .selectAll()
          .where((eb) => eb.or([eb('state', '=', 'waiting'), eb.and([eb('state', '=', 'active'), eb('locked_until', '<', now)])]))
          .orderBy('id')
          .limit(this.#opts.batchSize)
          .execute();
        if (rows.length === 0) return;
        await this.#send(
          rows.map((r) => ({
            name: r.name,
            data: JSON.parse(r.data),
            runAt: r.run_at,
            priority: r.priority,
            // Rows without a key come from the embedded queue; id and time name them for good.
            key: r.key ?? `row:${r.id}:${r.created_at}`,
          })),
        );
        await this.#db
          .deleteFrom('jobs')
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
        if (rows.length < this.#opts.batchSize) return;
      }
    } catch (err) {
      // The rows stay in the outbox; the next nudge or poll sends them.
      this.#opts.logger.error({ err }, 'could not relay queued jobs from the store');
    }
  }
}
