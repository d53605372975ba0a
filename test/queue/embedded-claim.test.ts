/**
 * The order in which the embedded queue takes jobs (SQLite and PostgreSQL claim them with
 * different queries): highest priority first, then the earliest due, then the first added;
 * a job whose lease ran out (its worker died) takes its place in that order; a job not due
 * yet is never taken, however many of them wait (a journey's timers for tomorrow).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PRIORITY, type JobHandler } from '../../src/queue/queue.ts';
import { SETUPS, openBackend } from './queue-setups.ts';

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const setup of SETUPS.filter((s) => s.name.startsWith('embedded'))) {
  describe(`claim order: ${setup.name}`, () => {
    test('priority, then due time, then insertion; a lapsed lease in its place; nothing early', async () => {
      const b = await openBackend(await setup.spec());
      try {
        const now = b.clock.now();
        // 300 timers due tomorrow, added first so that the due jobs sit behind them in the table.
        await b.queue().add(Array.from({ length: 300 }, (_, i) => ({ name: 'later', data: { i }, runAt: now + 86_400_000 })));
        const q = b.queue();
        await q.add([
          { name: 'n-late', data: null, runAt: now - 1_000 },
          { name: 'n-early', data: null, runAt: now - 3_000 },
          { name: 'u-late', data: null, runAt: now - 500, priority: PRIORITY.urgent },
          { name: 'n-same', data: null, runAt: now - 1_000 },
          { name: 'u-early', data: null, runAt: now - 2_000, priority: PRIORITY.urgent },
        ]);
        // A normal job a dead worker took: active, its lease run out, due before n-early.
        await q.add([{ name: 'n-lapsed', data: null, runAt: now - 4_000 }]);
        await b.store.db.updateTable('jobs').set({ state: 'active', locked_until: now - 1 }).where('name', '=', 'n-lapsed').execute();

        const runs: string[] = [];
        const record: JobHandler = async (job) => void runs.push(job.name);
        const names = ['n-late', 'n-early', 'u-late', 'n-same', 'u-early', 'n-lapsed', 'later'];
        // One slot: each claim takes the single first job, so the runs show the claim order.
        q.start(Object.fromEntries(names.map((n) => [n, record])), { concurrency: 1 });
        await until('the due jobs ran', () => runs.length >= 6);
        assert.deepEqual(runs, ['u-early', 'u-late', 'n-lapsed', 'n-early', 'n-late', 'n-same']);
        await q.stop();
        const left = await b.store.db.selectFrom('jobs').select(['name', 'state']).execute();
        assert.equal(left.length, 300, 'the timers for tomorrow are all still there');
        assert.ok(left.every((j) => j.name === 'later' && j.state === 'waiting'), 'none of them was taken early');
      } finally {
        await b.close();
      }
    });
  });
}
