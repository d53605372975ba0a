/**
 * The clock of a bench process that stands for days passing in seconds: the machine's
 * time plus an offset the harness moves forward (`advance`), injected as the runtime's
 * `now` (RuntimeOptions.now), as the journey tests inject theirs. Bench children only: no
 * route of the server moves its clock.
 *
 * The embedded queue keeps its due rows on this clock, so moving it makes them due. BullMQ
 * keeps its delayed jobs on Redis's clock instead: the jobs that were delayed are promoted
 * (made waiting) once every process's clock has moved, and a job that runs before its
 * instant on its own clock is put back for that instant by its handler, as on a clock skew.
 */
import type { Queue } from '../../src/queue/queue.ts';

/** The queue Carillon uses on Redis (src/queue/bullmq-queue.ts): one queue, jobs told apart by name. */
const BULLMQ_QUEUE_NAME = 'jobs';

export class BenchClock {
  #offset = 0;
  readonly now = (): number => Date.now() + this.#offset;
  advance(ms: number): void {
    this.#offset += ms;
  }
  get offset(): number {
    return this.#offset;
  }
}

/**
 * Resolves once the queue has nothing waiting or running: moving the clock under a running
 * job would make its lease look expired and have it taken over (at-least-once), which is
 * delivery's business, not what a bench counts.
 */
export async function queueIdle(queue: Queue, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await queue.depth();
    if (d.waiting === 0 && d.active === 0) return;
    if (Date.now() > deadline) throw new Error(`queue not idle after ${timeoutMs / 1000} s: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every delayed BullMQ job of this prefix made waiting: time has passed for them too. Returns how many there were. */
export async function promoteDelayed(redisUrl: string, prefix: string): Promise<number> {
  // Loaded here, as the runtime loads them only on Redis: a bench server on SQLite holds neither.
  const [{ Queue: BullQueue }, { Redis }] = await Promise.all([import('bullmq'), import('ioredis')]);
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new BullQueue(BULLMQ_QUEUE_NAME, { connection, prefix });
  try {
    const delayed = await queue.getDelayedCount();
    await queue.promoteJobs({ count: 1_000 });
    return delayed;
  } finally {
    await queue.close();
    await connection.quit();
  }
}
