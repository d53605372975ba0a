/**
 * Batches of the embedded queue (Queue.start's `batches`): due jobs of a kind with a batch
 * handler go to it several at a time, in one slot, and leave the table together; a batch
 * that throws has its jobs run one by one, so only the job that keeps failing ends failed;
 * other kinds' jobs still take their slots; BullMQ runs the same jobs one at a time.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchHandler, Job, JobHandler } from '../../src/queue/queue.ts';
import { SETUPS, openBackend } from './queue-setups.ts';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ids = (jobs: readonly Job[]) => jobs.map((j) => (j.data as { i: number }).i);

for (const setup of SETUPS) {
  const embedded = setup.name.startsWith('embedded');
  describe(`job batches: ${setup.name}`, () => {
    test('due jobs of a batch kind run several to a call, each once, beside single jobs of another kind', async () => {
      const b = await openBackend(await setup.spec());
      try {
        const q = b.queue();
        const now = b.clock.now();
        await q.add(Array.from({ length: 130 }, (_, i) => ({ name: 'timer', data: { i }, runAt: now - 1_000 })));
        await q.add(Array.from({ length: 5 }, (_, i) => ({ name: 'other', data: { i }, runAt: now - 1_000 })));
        const calls: number[][] = [];
        const singles: number[] = [];
        const others: number[] = [];
        const batch: BatchHandler = { size: 50, run: async (jobs) => void calls.push(ids(jobs)) };
        const timer: JobHandler = async (job) => void singles.push(...ids([job]));
        q.start({ timer, other: async (job) => void others.push(...ids([job])) }, { concurrency: 2, batches: { timer: batch } });
        await until('every job ran', () => calls.flat().length + singles.length === 130 && others.length === 5);
        const ran = [...calls.flat(), ...singles].sort((x, y) => x - y);
        assert.deepEqual(ran, Array.from({ length: 130 }, (_, i) => i), 'each timer ran once');
        assert.ok(
          calls.every((c) => c.length >= 2 && c.length <= 50),
          `a batch call has 2 to 50 jobs: ${calls.map((c) => c.length)}`,
        );
        if (embedded) assert.ok(calls.length >= 3 && singles.length < 20, `the timers went in batches (${calls.length} calls, ${singles.length} alone)`);
        else assert.equal(calls.length, 0, 'BullMQ hands a worker one job at a time');
        await q.stop();
        if (embedded) assert.equal((await b.store.db.selectFrom('jobs').select('id').execute()).length, 0, 'the done jobs left the table');
      } finally {
        await b.close();
      }
    });

    test('a batch that throws has its jobs run one by one: only the failing job fails, the others are done', async () => {
      const b = await openBackend(await setup.spec());
      try {
        const q = b.queue({ maxAttempts: 2 });
        const now = b.clock.now();
        await q.add(Array.from({ length: 40 }, (_, i) => ({ name: 'timer', data: { i }, runAt: now - 1_000 })));
        const done = new Set<number>();
        let batchCalls = 0;
        const batch: BatchHandler = {
          size: 50,
          run: async (jobs) => {
            batchCalls++;
            if (ids(jobs).includes(7)) throw new Error('job 7 is poison');
            for (const i of ids(jobs)) done.add(i);
          },
        };
        const timer: JobHandler = async (job) => {
          const [i] = ids([job]);
          if (i === 7) throw new Error('job 7 is poison');
          done.add(i!);
        };
        q.start({ timer }, { concurrency: 1, batches: { timer: batch } });
        await until('the 39 good jobs ran', () => done.size === 39);
        // Job 7 is retried on its own, with backoff, until it is kept as failed.
        await until('job 7 is kept as failed', async () => {
          await b.clock.pass(500);
          return (await q.depth()).failed === 1;
        });
        assert.ok(!done.has(7));
        const [failed] = await q.failed();
        assert.equal((failed!.data as { i: number }).i, 7);
        if (embedded) assert.ok(batchCalls >= 1, 'the jobs were first given as a batch');
        const depth = await q.depth();
        assert.deepEqual([depth.waiting, depth.delayed, depth.active], [0, 0, 0], 'nothing else is left to run');
      } finally {
        await b.close();
      }
    });
  });
}
