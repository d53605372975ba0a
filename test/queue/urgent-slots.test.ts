/**
 * The urgent lane's own worker slots (embedded queue, on SQLite and PostgreSQL): with every
 * ordinary slot held by a broadcast's jobs, an urgent job still runs at once in a slot only
 * urgent jobs take; ordinary jobs never take those slots, and start none while urgent jobs run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { URGENT_HOLD_MS } from '../../src/queue/embedded-queue.ts';
import { PRIORITY } from '../../src/queue/queue.ts';
import { SETUPS, openBackend } from './queue-setups.ts';

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const setup of SETUPS.filter((s) => s.name.startsWith('embedded'))) {
  describe(`urgent slots: ${setup.name}`, () => {
    test('an urgent job runs while broadcast jobs hold every ordinary slot; broadcast jobs do not take the urgent slots', async () => {
      const b = await openBackend(await setup.spec());
      try {
        const q = b.queue();
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        const running = new Set<string>();
        const ran: string[] = [];
        const handler = async (job: { name: string; data: unknown }) => {
          const id = String((job.data as { id: string }).id);
          running.add(id);
          ran.push(id);
          if (job.name === 'broadcast') await held;
          running.delete(id);
        };
        await q.add(Array.from({ length: 6 }, (_, i) => ({ name: 'broadcast', data: { id: `b${i}` } })));
        q.start({ broadcast: handler, alert: handler }, { concurrency: 2, urgentSlots: 1 });
        await until('two broadcast jobs run', () => running.size === 2);
        // More polls pass: the other broadcast jobs stay waiting, the urgent slot free.
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual([...running].sort(), ['b0', 'b1']);
        await q.add([{ name: 'alert', data: { id: 'a' }, priority: PRIORITY.urgent }]);
        await until('the alert ran', () => ran.includes('a'));
        assert.deepEqual([...running].sort(), ['b0', 'b1'], 'the broadcast still holds its two slots');
        release();
        await until('everything ran', () => ran.length === 7);
        await q.stop();
      } finally {
        await b.close();
      }
    });

    test('while an urgent job runs, no broadcast job starts in the free ordinary slots; they start once it is done', async () => {
      const b = await openBackend(await setup.spec());
      try {
        const q = b.queue();
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        const ran: string[] = [];
        let alertDone = false;
        const startedDuringAlert: string[] = [];
        const handler = async (job: { name: string; data: unknown }) => {
          const id = String((job.data as { id: string }).id);
          ran.push(id);
          if (job.name === 'alert') {
            await held;
            alertDone = true;
          } else if (!alertDone) startedDuringAlert.push(id);
        };
        await q.add([{ name: 'alert', data: { id: 'a' }, priority: PRIORITY.urgent }, ...Array.from({ length: 3 }, (_, i) => ({ name: 'broadcast', data: { id: `b${i}` } }))]);
        q.start({ broadcast: handler, alert: handler }, { concurrency: 2, urgentSlots: 1 });
        await until('the alert runs', () => ran.includes('a'));
        // Polls pass (the one that claimed the alert looked for ordinary jobs too): the two ordinary slots stay free.
        await new Promise((r) => setTimeout(r, 100));
        const whileHeld = [...ran];
        release();
        await until('the broadcast ran', () => ran.length === 4);
        assert.deepEqual(whileHeld, ['a'], 'nothing but the alert ran while it was running');
        assert.deepEqual(startedDuringAlert, [], 'no broadcast job started while the alert ran');
        await q.stop();
      } finally {
        await b.close();
      }
    });

    test('urgent jobs that never stop hold ordinary ones back for URGENT_HOLD_MS at most, then share the slots (injected clock)', async () => {
      const b = await openBackend(await setup.spec());
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      try {
        // A lease longer than the clock's jumps: the urgent job stays claimed while the clock moves.
        const q = b.queue({ lease: 10 * URGENT_HOLD_MS });
        const ran: string[] = [];
        const handler = async (job: { name: string; data: unknown }) => {
          ran.push(String((job.data as { id: string }).id));
          if (job.name === 'alert') await held;
        };
        await q.add([{ name: 'alert', data: { id: 'a' }, priority: PRIORITY.urgent }, { name: 'broadcast', data: { id: 'b0' } }]);
        q.start({ broadcast: handler, alert: handler }, { concurrency: 2, urgentSlots: 1 });
        await until('the alert runs', () => ran.includes('a'));
        await b.clock.pass(URGENT_HOLD_MS - 1);
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(ran, ['a'], 'held back within the hold');
        await b.clock.pass(1);
        await until('the broadcast job starts beside the urgent one still running', () => ran.includes('b0'));
        release();
        await q.stop();
      } finally {
        release();
        await b.close();
      }
    });
  });
}
