/**
 * The urgent lane on BullMQ (Redis): urgent jobs have a queue and worker slots of their own,
 * so with every ordinary slot held by a broadcast's jobs (held at a gate that opens only at
 * the end of each test), an urgent job, its retry and its follow-up jobs still run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job } from '../../src/queue/queue.ts';
import { PRIORITY } from '../../src/queue/queue.ts';
import { SETUPS, TEST_SETTINGS, openBackend } from './queue-setups.ts';

const HANG_WORKER = fileURLToPath(new URL('./fixtures/hang-worker.ts', import.meta.url));

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Broadcast jobs that start, then wait at the gate until the test opens it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const running = new Set<string>();
  const finished: string[] = [];
  return {
    open,
    running,
    finished,
    async broadcast(job: Job) {
      const id = String((job.data as { id: string }).id);
      running.add(id);
      await opened;
      running.delete(id);
      finished.push(id);
    },
  };
}

const broadcasts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: 'broadcast', data: { id: `b${i}` } }));

for (const setup of SETUPS.filter((s) => s.name.startsWith('BullMQ'))) {
  describe(`urgent lane: ${setup.name}`, () => {
    test('an urgent job added behind busy broadcast jobs starts, and ends, before any of them finishes', async () => {
      const b = await openBackend(await setup.spec());
      const g = gate();
      try {
        const q = b.queue();
        const alerts: Job[] = [];
        await q.add(broadcasts(8));
        q.start({ broadcast: g.broadcast, alert: async (job) => void alerts.push(job) }, { concurrency: 2, urgentSlots: 1 });
        await until('two broadcast jobs hold both ordinary slots', () => g.running.size === 2);
        await q.add([{ name: 'alert', data: { id: 'a' }, priority: PRIORITY.urgent }]);
        await until('the alert ran', () => alerts.length === 1);
        assert.equal(alerts[0]!.priority, PRIORITY.urgent);
        assert.deepEqual(g.finished, [], 'no broadcast job has finished');
        assert.equal(g.running.size, 2, 'the broadcast still holds its two slots');
        const depth = await q.depth();
        assert.equal(depth.active, 2);
        assert.equal(depth.waiting, 6, 'the other broadcast jobs wait');
        g.open();
        await until('the broadcast ran', () => g.finished.length === 8);
      } finally {
        g.open();
        await b.close();
      }
    });

    test('a retried urgent job, and the jobs it adds, stay in the lane and keep their priority', async () => {
      const b = await openBackend(await setup.spec());
      const g = gate();
      try {
        const q = b.queue();
        const seen: Job[] = [];
        await q.add(broadcasts(4));
        q.start(
          {
            broadcast: g.broadcast,
            async alert(job) {
              seen.push(job);
              if (job.attempts === 1) throw new Error('push service unreachable');
              await q.add([{ name: 'follow-up', data: { id: 'f' }, priority: job.priority, key: 'follow-up:a' }]);
            },
            'follow-up': async (job) => void seen.push(job),
          },
          { concurrency: 2, urgentSlots: 1 },
        );
        await until('two broadcast jobs hold both ordinary slots', () => g.running.size === 2);
        await q.add([{ name: 'alert', data: { id: 'a' }, priority: PRIORITY.urgent }]);
        await until('the alert was retried and its follow-up ran', () => seen.some((j) => j.name === 'follow-up'));
        assert.deepEqual(
          seen.map((j) => [j.name, j.attempts, j.priority]),
          [
            ['alert', 1, PRIORITY.urgent],
            ['alert', 2, PRIORITY.urgent],
            ['follow-up', 1, PRIORITY.urgent],
          ],
        );
        assert.deepEqual(g.finished, [], 'all of it while the broadcast held its slots');
      } finally {
        g.open();
        await b.close();
      }
    });

    test('an urgent job whose worker process was killed is taken over in the lane, at its priority, while a broadcast holds the other slots', async () => {
      const b = await openBackend(await setup.spec());
      const g = gate();
      try {
        const q = b.queue();
        await q.add([{ name: 'crashy', data: { n: 1 }, priority: PRIORITY.urgent }]);
        const child = spawn(process.execPath, ['--import', 'tsx', HANG_WORKER, JSON.stringify({ spec: b.spec, clockAt: b.clock.now() })], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        const exited = new Promise((resolve) => child.once('exit', resolve));
        try {
          await until('the other process took the urgent job', () => out.includes('started 1') || child.exitCode !== null, 30_000);
          assert.match(out, /started 1/);
        } finally {
          child.kill('SIGKILL');
          await exited;
        }
        const taken: Job[] = [];
        await q.add(broadcasts(4));
        q.start({ broadcast: g.broadcast, crashy: async (job) => void taken.push(job) }, { concurrency: 2, urgentSlots: 1 });
        await until('two broadcast jobs hold both ordinary slots', () => g.running.size === 2);
        await b.clock.pass(TEST_SETTINGS.lease + 1);
        await until('the urgent job was taken over', () => taken.length === 1, 30_000);
        assert.deepEqual([taken[0]!.attempts, taken[0]!.priority], [2, PRIORITY.urgent]);
        assert.deepEqual(g.finished, [], 'while the broadcast held its slots');
      } finally {
        g.open();
        await b.close();
      }
    });

    test('a key names one job across lanes: added again at another priority, it is dropped', async () => {
      const b = await openBackend(await setup.spec());
      try {
        const q = b.queue();
        await q.add([{ name: 'alert', data: { id: 'u' }, priority: PRIORITY.urgent, key: 'fanout:ntf_1:0' }]);
        await q.add([{ name: 'alert', data: { id: 'n' }, key: 'fanout:ntf_1:0' }]);
        await q.add([{ name: 'other', data: { id: 'o' }, key: 'fanout:ntf_2:0' }]);
        await q.add([{ name: 'other', data: { id: 'p' }, priority: PRIORITY.urgent, key: 'fanout:ntf_2:0' }]);
        assert.equal((await q.depth()).waiting, 2);
        const ran: string[] = [];
        const handler = async (job: Job) => void ran.push(`${(job.data as { id: string }).id}:${job.priority}`);
        q.start({ alert: handler, other: handler }, { concurrency: 1, urgentSlots: 1 });
        await until('both ran', () => ran.length === 2);
        assert.deepEqual(ran.sort(), ['o:0', `u:${PRIORITY.urgent}`]);
      } finally {
        await b.close();
      }
    });

    test('failed urgent jobs are listed and retried with the others', async () => {
      const b = await openBackend(await setup.spec());
      try {
        const q = b.queue({ maxAttempts: 1 });
        let fail = true;
        const ran: string[] = [];
        const handler = async (job: Job) => {
          if (fail) throw new Error(`no ${job.name}`);
          ran.push(job.name);
        };
        await q.add([{ name: 'alert', data: {}, priority: PRIORITY.urgent }, { name: 'broadcast', data: {} }]);
        q.start({ alert: handler, broadcast: handler }, { concurrency: 1, urgentSlots: 1 });
        let failed = await q.failed();
        for (const deadline = Date.now() + 20_000; failed.length < 2 && Date.now() < deadline; failed = await q.failed()) await new Promise((r) => setTimeout(r, 25));
        assert.deepEqual(failed.map((f) => f.name).sort(), ['alert', 'broadcast']);
        assert.equal((await q.depth()).failed, 2);
        fail = false;
        assert.equal(await q.retryFailed(failed.find((f) => f.name === 'alert')!.id), true);
        assert.equal(await q.retryAllFailed(), 1);
        await until('both ran again', () => ran.length === 2);
        assert.deepEqual(ran.sort(), ['alert', 'broadcast']);
      } finally {
        await b.close();
      }
    });
  });
}
