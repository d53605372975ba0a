/**
 * The queue set-ups the contract suite runs against, and what a test needs of each: queue
 * instances on one shared backend (as several processes would make them), a clock, and a
 * store transaction. Also used by ./fixtures/hang-worker.ts, the process a crash test kills.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely, type Transaction } from 'kysely';
import pino from 'pino';
import { BullmqQueue } from '../../src/queue/bullmq-queue.ts';
import { EmbeddedQueue } from '../../src/queue/embedded-queue.ts';
import type { Queue } from '../../src/queue/queue.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { createTestDatabase } from '../support/carillon.ts';

/** Where a backend's jobs live; plain data, so a child process can open the same one. */
export interface BackendSpec {
  queue: 'embedded' | 'bullmq';
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  prefix?: string;
}

export interface Setup {
  name: string;
  /**
   * The store runs transactions beside other work, so a test can look at the queue while
   * a transaction is open (PostgreSQL). SQLite has one connection: a query outside the
   * open transaction would wait for it.
   */
  concurrentTransactions: boolean;
  spec(): Promise<BackendSpec>;
}

export const SETUPS: Setup[] = [
  { name: 'embedded on SQLite', concurrentTransactions: false, spec: async () => ({ queue: 'embedded', dataDir: tempDir() }) },
  { name: 'embedded on PostgreSQL', concurrentTransactions: true, spec: async () => ({ queue: 'embedded', dataDir: tempDir(), databaseUrl: await createTestDatabase() }) },
  {
    name: 'BullMQ on Redis',
    concurrentTransactions: true,
    spec: async () => ({ queue: 'bullmq', dataDir: tempDir(), databaseUrl: await createTestDatabase(), redisUrl: redisUrl(), prefix: `t${randomBytes(6).toString('hex')}` }),
  },
];

export interface QueueSettings {
  /** ms; short, so that a crash test waits little where the clock is real. */
  lease: number;
  maxAttempts: number;
  retryBase: number;
  retryMax: number;
}

export const TEST_SETTINGS: QueueSettings = { lease: 1_000, maxAttempts: 3, retryBase: 200, retryMax: 400 };

/**
 * The time the queue sees. The embedded queue takes an injected clock, which the tests
 * move; BullMQ keeps time in Redis with the machine's clock, so there passing time means
 * waiting for it (the settings above keep those waits short).
 */
export interface TestClock {
  now(): number;
  pass(ms: number): Promise<void>;
}

export interface Backend {
  spec: BackendSpec;
  store: Store;
  clock: TestClock;
  /** A queue on this backend, as one process makes it; instances share the jobs. */
  queue(settings?: Partial<QueueSettings>): Queue;
  transaction(fn: (tx: Transaction<Database>) => Promise<void>): Promise<void>;
  /** Stops every queue made here, closes the store and removes the temp folder. */
  close(): Promise<void>;
}

export async function openBackend(spec: BackendSpec, opts: { clockAt?: number } = {}): Promise<Backend> {
  const store = await openStore({ databaseUrl: spec.databaseUrl, dataDir: spec.dataDir, poolSize: 5 });
  const clock = spec.queue === 'embedded' ? fakeClock(opts.clockAt ?? Date.now()) : realClock();
  const logger = pino({ level: 'silent' });
  const queues: Queue[] = [];
  return {
    spec,
    store,
    clock,
    queue(overrides = {}) {
      const s = { ...TEST_SETTINGS, ...overrides };
      const common = { ...s, pollInterval: 5, now: clock.now, logger };
      const queue =
        spec.queue === 'embedded'
          ? new EmbeddedQueue(store.db, store.caps, common)
          : new BullmqQueue({ ...common, redisUrl: spec.redisUrl!, prefix: spec.prefix!, db: store.db });
      queues.push(queue);
      return queue;
    },
    transaction: (fn) => store.db.transaction().execute(fn),
    async close() {
      await Promise.all(queues.map((q) => q.stop()));
      await store.close();
      rmSync(spec.dataDir, { recursive: true, force: true });
    },
  };
}

/** A table of the test's own, for rows written in the same transaction as a job. */
export async function createMarks(db: Kysely<Database>): Promise<void> {
  await sql`create table contract_marks (id text primary key)`.execute(db);
}

export async function hasMark(db: Kysely<Database>, id: string): Promise<boolean> {
  const { rows } = await sql<{ id: string }>`select id from contract_marks where id = ${id}`.execute(db);
  return rows.length === 1;
}

function fakeClock(start: number): TestClock {
  let t = start;
  return {
    now: () => t,
    async pass(ms) {
      t += ms;
    },
  };
}

function realClock(): TestClock {
  return {
    now: () => Date.now(),
    async pass(ms) {
      await sleep(ms);
    },
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'carillon-queue-'));
}

function redisUrl(): string {
  const url = process.env.CARILLON_TEST_REDIS_URL;
  if (!url) throw new Error('CARILLON_TEST_REDIS_URL is not set: run the tests with `npm test`, which starts Redis');
  return url;
}
