/**
 * Retrying dead letters through the queue port (POST /v1/queue/dead-letters/{id}/retry and
 * retry-all): a failed job goes back as waiting with its attempts counted from zero, so it
 * gets every attempt again; an id that names no failed job changes nothing. Against the
 * embedded queue on SQLite and on PostgreSQL and the BullMQ queue on Redis.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job, Queue } from '../../src/queue/queue.ts';
import { SETUPS, TEST_SETTINGS, openBackend, type Backend } from './queue-setups.ts';

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const setup of SETUPS) {
  describe(`queue retry of failed jobs: ${setup.name}`, () => {
    const withBackend = (fn: (b: Backend) => Promise<void>) => async () => {
      const b = await openBackend(await setup.spec());
      try {
        await fn(b);
      } finally {
        await b.close();
      }
    };

    /** A queue whose `flaky` jobs throw while `broken` holds, recording each attempt. */
    function flakyQueue(b: Backend) {
      const state = { broken: true, runs: [] as Job[] };
      const q = b.queue();
      q.start(
        {
          flaky: async (job) => {
            state.runs.push(job);
            if (state.broken) throw new Error(`provider down (attempt ${job.attempts})`);
          },
        },
        { concurrency: 2 },
      );
      return { q, state };
    }

    async function failAll(b: Backend, q: Queue, n: number): Promise<void> {
      await until(`${n} jobs failed for good`, async () => {
        if ((await q.failed()).length === n) return true;
        await b.clock.pass(TEST_SETTINGS.retryMax);
        return false;
      });
    }

    test('a retried failed job runs again from its first attempt, and leaves the failed jobs', withBackend(async (b) => {
      const { q, state } = flakyQueue(b);
      await q.add([{ name: 'flaky', data: { batchId: 1 }, key: 'deliver:1' }, { name: 'flaky', data: { batchId: 2 }, key: 'deliver:2' }]);
      await failAll(b, q, 2);
      const [first, second] = await q.failed();
      state.runs.length = 0;

      // Still broken: the retried job gets all its attempts again, then fails for good again.
      assert.equal(await q.retryFailed(first!.id), true);
      await until('the retried job failed again', async () => {
        if ((await q.failed()).length === 2 && state.runs.length === TEST_SETTINGS.maxAttempts) return true;
        await b.clock.pass(TEST_SETTINGS.retryMax);
        return false;
      });
      assert.deepEqual(state.runs.map((j) => j.attempts), [1, 2, 3], 'attempts counted from zero again');
      assert.deepEqual(state.runs.map((j) => j.data), [first!.data, first!.data, first!.data], 'only that job ran');

      state.broken = false;
      state.runs.length = 0;
      assert.equal(await q.retryFailed(second!.id), true);
      await until('the retried job ran', () => state.runs.length === 1);
      await until('nothing is left of it', async () => (await q.depth()).failed === 1 && (await q.depth()).active === 0);
      assert.deepEqual(state.runs[0]!.data, second!.data);
      assert.equal(state.runs[0]!.attempts, 1);
      assert.deepEqual((await q.failed()).map((j) => j.id), [first!.id]);
    }));

    test('an id that names no failed job changes nothing', withBackend(async (b) => {
      const { q } = flakyQueue(b);
      await q.add([{ name: 'flaky', data: { batchId: 3 } }]);
      await failAll(b, q, 1);
      const [dead] = await q.failed();
      for (const id of ['999999', 'nope', '', '1 or 1=1', 'deliver:3']) assert.equal(await q.retryFailed(id), false, id);
      assert.equal(await q.retryFailed(dead!.id), true);
      assert.equal(await q.retryFailed(dead!.id), false, 'a second retry of the same job finds it no longer failed');
    }));

    test('retryAllFailed() puts every failed job back and says how many', withBackend(async (b) => {
      const { q, state } = flakyQueue(b);
      await q.add([1, 2, 3].map((i) => ({ name: 'flaky', data: { batchId: i } })));
      await failAll(b, q, 3);
      state.broken = false;
      state.runs.length = 0;
      assert.equal(await q.retryAllFailed(), 3);
      await until('the three ran', () => state.runs.length === 3);
      await until('none is failed', async () => {
        const d = await q.depth();
        return d.failed === 0 && d.active === 0;
      });
      assert.deepEqual(state.runs.map((j) => (j.data as { batchId: number }).batchId).sort(), [1, 2, 3]);
      assert.deepEqual(state.runs.map((j) => j.attempts), [1, 1, 1]);
      assert.equal(await q.retryAllFailed(), 0, 'none left to retry');
    }));
  });
}
