/**
 * One contract for every implementation of the queue port (the idea of BullMQ's and
 * Kysely's adapter conformance suites): each behaviour delivery relies on is checked
 * through the port only, against the embedded queue on SQLite and on PostgreSQL and the
 * BullMQ queue on Redis.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { PRIORITY, type Job, type JobHandler } from '../../src/queue/queue.ts';
import { SETUPS, TEST_SETTINGS, createMarks, hasMark, openBackend, type Backend } from './queue-setups.ts';

const HANG_WORKER = fileURLToPath(new URL('./fixtures/hang-worker.ts', import.meta.url));

/** Polls until `check` holds; the queue works asynchronously, and this waits for its effect, not for time. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Handlers that record each run, in order, before doing what the test asks of them. */
function recorder() {
  const runs: string[] = [];
  const jobs: Job[] = [];
  const record =
    (fn?: (job: Job) => Promise<void> | void): JobHandler =>
    async (job) => {
      jobs.push(job);
      runs.push(job.name);
      await fn?.(job);
    };
  return { runs, jobs, record, count: (name: string) => runs.filter((r) => r === name).length };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

const EMPTY = { waiting: 0, delayed: 0, active: 0, failed: 0 };

for (const setup of SETUPS) {
  describe(`queue contract: ${setup.name}`, () => {
    const withBackend = (fn: (b: Backend) => Promise<void>) => async () => {
      const b = await openBackend(await setup.spec());
      try {
        await fn(b);
      } finally {
        await b.close();
      }
    };

    test('every job runs once, with its name, data and priority, then nothing is left', withBackend(async (b) => {
      const q = b.queue();
      const r = recorder();
      const specs = Array.from({ length: 20 }, (_, i) => ({ name: i % 2 ? 'odd' : 'even', data: { i, nested: { s: `é${i}` } }, priority: i === 7 ? PRIORITY.urgent : undefined }));
      await q.add(specs.slice(0, 10));
      await q.add(specs.slice(10));
      q.start({ odd: r.record(), even: r.record() }, { concurrency: 4 });
      await until('all 20 ran', () => r.jobs.length >= 20);
      await until('nothing is pending', async () => JSON.stringify(await q.depth()) === JSON.stringify(EMPTY));
      assert.deepEqual(r.jobs.map((j) => (j.data as { i: number }).i).sort((a, z) => a - z), specs.map((_, i) => i));
      for (const j of r.jobs) {
        const { i, nested } = j.data as { i: number; nested: { s: string } };
        assert.equal(j.name, i % 2 ? 'odd' : 'even');
        assert.equal(nested.s, `é${i}`);
        assert.equal(j.attempts, 1);
        assert.equal(j.priority, i === 7 ? PRIORITY.urgent : PRIORITY.normal);
      }
      assert.equal(new Set(r.jobs.map((j) => j.id)).size, 20, 'ids are distinct');
    }));

    test('a job with runAt in the future runs only once that time has come', withBackend(async (b) => {
      const q = b.queue();
      const ranAt: Record<string, number> = {};
      const runAt = b.clock.now() + 300;
      await q.add([{ name: 'later', data: {}, runAt }, { name: 'now', data: {} }]);
      const at = (name: string) => async () => void (ranAt[name] = b.clock.now());
      q.start({ later: at('later'), now: at('now') }, { concurrency: 2 });
      await until('the due job ran', () => 'now' in ranAt);
      // On BullMQ the 300 ms pass on the machine's clock, perhaps before these looks (a
      // loaded machine); the time the job ran, checked below, holds there too.
      if (!setup.name.startsWith('BullMQ')) {
        assert.ok(!('later' in ranAt), 'the delayed job waits');
        assert.equal((await q.depth()).delayed, 1);
      }
      await b.clock.pass(300);
      await until('the delayed job ran', () => 'later' in ranAt);
      assert.ok(ranAt.later! >= runAt, `ran at ${ranAt.later}, due at ${runAt}`);
    }));

    test('a key already queued or running is not added again', withBackend(async (b) => {
      const q = b.queue();
      const r = recorder();
      const running = gate();
      await q.add([{ name: 'work', data: 1, key: 'fanout:n1:0' }]);
      await q.add([{ name: 'work', data: 2, key: 'fanout:n1:0' }, { name: 'work', data: 3, key: 'deliver:7' }]);
      q.start(
        {
          work: r.record(async (job) => {
            if (job.data !== 1) return;
            // While it runs, its key is still taken.
            await q.add([{ name: 'work', data: 4, key: 'fanout:n1:0' }]);
            running.open();
          }),
          sentinel: r.record(),
        },
        { concurrency: 1 },
      );
      await running.opened;
      // FIFO at equal priority: a copy that got in would run before this.
      await q.add([{ name: 'sentinel', data: null }]);
      await until('the sentinel ran', () => r.count('sentinel') === 1);
      assert.deepEqual(r.jobs.filter((j) => j.name === 'work').map((j) => j.data), [1, 3]);
    }));

    test('an urgent job added later runs before the normal jobs still waiting', withBackend(async (b) => {
      const q = b.queue();
      const r = recorder();
      const first = gate();
      const release = gate();
      await q.add(['n1', 'n2', 'n3', 'n4'].map((name) => ({ name, data: null })));
      const normal = r.record(async (job) => {
        if (job.name !== 'n1') return;
        first.open();
        await release.opened;
      });
      q.start({ n1: normal, n2: normal, n3: normal, n4: normal, urgent: r.record() }, { concurrency: 1 });
      await first.opened;
      await q.add([{ name: 'urgent', data: null, priority: PRIORITY.urgent }]);
      // BullMQ gives urgent jobs a worker of their own (urgentSlots, at least one): the
      // urgent job runs while n1 still holds the only ordinary slot. The embedded queue
      // without urgent slots runs it first in the ordinary slot, once n1 has finished.
      if (setup.name.startsWith('BullMQ')) await until('the urgent job ran beside the held one', () => r.runs.includes('urgent'));
      release.open();
      await until('all ran', () => r.runs.length === 5);
      assert.deepEqual(r.runs, ['n1', 'urgent', 'n2', 'n3', 'n4']);
      assert.equal(r.jobs[1]!.priority, PRIORITY.urgent);
    }));

    test('a throwing handler is retried after a backoff, and succeeds on a later attempt', withBackend(async (b) => {
      const q = b.queue();
      const attempts: number[] = [];
      const startedAt: number[] = [];
      q.start(
        {
          flaky: async (job) => {
            attempts.push(job.attempts);
            startedAt.push(b.clock.now());
            if (job.attempts < 3) throw new Error(`flaky attempt ${job.attempts}`);
          },
        },
        { concurrency: 1 },
      );
      await q.add([{ name: 'flaky', data: null }]);
      for (const attempt of [1, 2]) {
        await until(`attempt ${attempt} ran`, () => attempts.length === attempt);
        // Between attempts the job waits out its backoff, instead of running again at once.
        // The embedded queue's clock stands still until the test moves it, so the job is
        // seen delayed and not yet run again. BullMQ's backoff runs on the machine's clock
        // and may end before a look at the depth does; there the gaps below show it.
        if (!setup.name.startsWith('BullMQ')) {
          await until(`attempt ${attempt} waits out a backoff`, async () => (await q.depth()).delayed === 1);
          assert.equal(attempts.length, attempt);
        }
        await b.clock.pass(TEST_SETTINGS.retryMax);
      }
      await until('nothing is pending', async () => JSON.stringify(await q.depth()) === JSON.stringify(EMPTY));
      assert.deepEqual(attempts, [1, 2, 3]);
      // Each retry came no sooner than its backoff's floor: half its exponential ceiling (src/queue/backoff.ts).
      assert.ok(startedAt[1]! - startedAt[0]! >= TEST_SETTINGS.retryBase / 2, `retry 1 after ${startedAt[1]! - startedAt[0]!} ms`);
      assert.ok(startedAt[2]! - startedAt[1]! >= Math.min(TEST_SETTINGS.retryMax, TEST_SETTINGS.retryBase * 2) / 2, `retry 2 after ${startedAt[2]! - startedAt[1]!} ms`);
      assert.deepEqual(await q.failed(), []);
    }));

    test('a handler that always throws ends among the failed jobs, with its last error', withBackend(async (b) => {
      const q = b.queue();
      let calls = 0;
      q.start(
        {
          doomed: async (job) => {
            calls++;
            throw new Error(`push service down (attempt ${job.attempts})`);
          },
        },
        { concurrency: 1 },
      );
      await q.add([{ name: 'doomed', data: { batchId: 9 }, key: 'deliver:9' }]);
      await until('the job failed for good', async () => {
        if ((await q.failed()).length === 1) return true;
        await b.clock.pass(TEST_SETTINGS.retryMax);
        return false;
      });
      const [dead] = await q.failed();
      assert.equal(dead!.name, 'doomed');
      assert.deepEqual(dead!.data, { batchId: 9 });
      assert.equal(dead!.attempts, TEST_SETTINGS.maxAttempts);
      assert.match(dead!.error ?? '', /push service down \(attempt 3\)/);
      assert.equal(calls, TEST_SETTINGS.maxAttempts);
      assert.deepEqual(await q.depth(), { ...EMPTY, failed: 1 });
    }));

    test('depth() counts waiting, delayed, active and failed jobs', withBackend(async (b) => {
      const q = b.queue({ maxAttempts: 1 });
      const hang = gate();
      await q.add([
        { name: 'fail', data: null, priority: PRIORITY.urgent },
        { name: 'hang', data: null },
        { name: 'wait', data: 1 },
        { name: 'wait', data: 2 },
        { name: 'wait', data: 3, runAt: b.clock.now() + 3_600_000 },
      ]);
      assert.deepEqual(await q.depth(), { waiting: 4, delayed: 1, active: 0, failed: 0 });
      q.start(
        {
          fail: async () => {
            throw new Error('no');
          },
          hang: () => hang.opened,
          wait: async () => {},
        },
        { concurrency: 1 },
      );
      const expect = async (want: typeof EMPTY) => {
        await until(`depth is ${JSON.stringify(want)}`, async () => JSON.stringify(await q.depth()) === JSON.stringify(want));
      };
      await expect({ waiting: 2, delayed: 1, active: 1, failed: 1 });
      hang.open();
      await expect({ waiting: 0, delayed: 1, active: 0, failed: 1 });
    }));

    test('stop() lets the running job finish, takes no new one, and a new start runs what was left', withBackend(async (b) => {
      const q = b.queue();
      const events: string[] = [];
      const release = gate();
      q.start(
        {
          long: async () => {
            events.push('long started');
            await release.opened;
            events.push('long finished');
          },
          next: async () => void events.push('next ran'),
        },
        { concurrency: 1 },
      );
      await q.add([{ name: 'long', data: null }]);
      await until('the long job runs', () => events.includes('long started'));
      await q.add([{ name: 'next', data: null }]);
      const stopped = q.stop().then(() => events.push('stopped'));
      // Nothing to wait for but time: a stop() that did not wait for the job would be done by now.
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(events, ['long started']);
      release.open();
      await stopped;
      assert.deepEqual(events, ['long started', 'long finished', 'stopped']);
      assert.deepEqual(await q.depth(), { ...EMPTY, waiting: 1 });

      // Jobs added while no worker runs stay until one starts (a restart, or another process).
      await q.add([{ name: 'next', data: null, key: 'added-while-stopped', priority: PRIORITY.urgent }]);
      await q.stop();
      const restarted = b.queue();
      restarted.start({ next: async () => void events.push('next ran') }, { concurrency: 2 });
      await until('both waiting jobs ran', () => events.filter((e) => e === 'next ran').length === 2);
      await until('nothing is pending', async () => JSON.stringify(await restarted.depth()) === JSON.stringify(EMPTY));
    }));

    test('a job added in a transaction that rolls back never runs', withBackend(async (b) => {
      const q = b.queue();
      const r = recorder();
      await assert.rejects(
        b.transaction(async (tx) => {
          await q.add([{ name: 'ghost', data: null, priority: PRIORITY.urgent }], tx);
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      await q.add([{ name: 'sentinel', data: null }]);
      q.start({ ghost: r.record(), sentinel: r.record() }, { concurrency: 1 });
      await until('the sentinel ran', () => r.count('sentinel') === 1);
      await until('nothing is pending', async () => JSON.stringify(await q.depth()) === JSON.stringify(EMPTY));
      assert.deepEqual(r.runs, ['sentinel']);
    }));

    test('jobs added in a committed transaction are queued like any other', withBackend(async (b) => {
      const q = b.queue();
      const r = recorder();
      await b.transaction(async (tx) => {
        await q.add([{ name: 'now', data: null }, { name: 'later', data: null, runAt: b.clock.now() + 3_600_000 }], tx);
      });
      await until('both are counted', async () => JSON.stringify(await q.depth()) === JSON.stringify({ ...EMPTY, waiting: 1, delayed: 1 }));
      q.start({ now: r.record(), later: r.record() }, { concurrency: 1 });
      await until('the due one ran', () => r.count('now') === 1);
      await until('only the delayed one is left', async () => JSON.stringify(await q.depth()) === JSON.stringify({ ...EMPTY, delayed: 1 }));
      assert.deepEqual(r.runs, ['now']);
    }));

    if (setup.concurrentTransactions) {
      test('a job added in a transaction runs only after it commits, and sees what it wrote', withBackend(async (b) => {
        await createMarks(b.store.db);
        const q = b.queue();
        const r = recorder();
        let sawMark: boolean | undefined;
        q.start(
          {
            fanout: r.record(async () => void (sawMark = await hasMark(b.store.db, 'notification-1'))),
            sentinel: r.record(),
          },
          { concurrency: 1 },
        );
        await b.transaction(async (tx) => {
          await sql`insert into contract_marks (id) values ('notification-1')`.execute(tx);
          await q.add([{ name: 'fanout', data: null, priority: PRIORITY.urgent }], tx);
          // Urgent and added first: were the job visible before the commit, it would run before this.
          await q.add([{ name: 'sentinel', data: null }]);
          await until('the sentinel ran', () => r.count('sentinel') === 1);
          assert.equal(r.count('fanout'), 0, 'not before the commit');
        });
        await until('the job ran after the commit', () => sawMark !== undefined);
        assert.equal(sawMark, true);
        assert.equal(r.count('fanout'), 1);
      }));
    }

    test('a job whose worker process was killed is taken over after its lease', withBackend(async (b) => {
      const q = b.queue();
      await q.add([{ name: 'crashy', data: { n: 1 } }]);
      const child = spawn(process.execPath, ['--import', 'tsx', HANG_WORKER, JSON.stringify({ spec: b.spec, clockAt: b.clock.now() })], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await until('the other process took the job', () => out.includes('started 1') || child.exitCode !== null, 30_000);
        assert.match(out, /started 1/);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      assert.equal((await q.depth()).active, 1, 'the dead worker still holds it');

      await b.clock.pass(TEST_SETTINGS.lease + 1);
      const r = recorder();
      q.start({ crashy: r.record() }, { concurrency: 1 });
      await until('the job ran again', () => r.jobs.length === 1);
      assert.deepEqual(r.jobs[0]!.data, { n: 1 });
      assert.equal(r.jobs[0]!.attempts, 2, 'the run in the dead process counts as an attempt');
      await until('nothing is pending', async () => JSON.stringify(await q.depth()) === JSON.stringify(EMPTY));
      assert.equal(r.jobs.length, 1);
    }));
  });
}
