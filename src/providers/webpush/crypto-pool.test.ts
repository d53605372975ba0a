/**
 * The crypto pool's urgent threads (real worker threads): an urgent task goes to an idle
 * thread, shared ones included, so an alert sent alone is not queued on one thread; beside
 * a broadcast that keeps the shared threads busy, it goes to the urgent thread.
 */
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CryptoPool } from './crypto-pool.ts';

function recipients(n: number) {
  return Array.from({ length: n }, () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url'), plaintext: 0 };
  });
}

/** Resolves in order of completion: the names of the tasks as they finish. */
function finishing(tasks: Record<string, Promise<unknown>>): Promise<string[]> {
  const order: string[] = [];
  return Promise.all(Object.entries(tasks).map(([name, p]) => p.then(() => order.push(name)))).then(() => order);
}

/** The pool's threads are unref'd (they never hold a process open): the test holds the event loop while it waits. */
async function withPool(run: (pool: CryptoPool) => Promise<void>): Promise<void> {
  const pool = new CryptoPool(1, 1);
  const hold = setInterval(() => {}, 1_000);
  try {
    await run(pool);
  } finally {
    clearInterval(hold);
    await pool.close();
  }
}

const plaintext = [new TextEncoder().encode('{"title":"Evacuate"}')];

test('an urgent task waits for no other urgent task while a shared thread is idle', async () => {
  await withPool(async (pool) => {
    const many = recipients(3000);
    const one = recipients(1);
    const order = await finishing({ big: pool.encryptEach(plaintext, many, { urgent: true }), small: pool.encryptEach(plaintext, one, { urgent: true }) });
    assert.deepEqual(order, ['small', 'big'], 'the second urgent task ran on the idle shared thread');
    const bodies = await pool.encryptEach(plaintext, one, { urgent: true });
    assert.ok(bodies[0] instanceof Uint8Array);
  });
});

test('urgent tasks are spread over the threads with no broadcast work, the least busy first', async () => {
  await withPool(async (pool) => {
    const big = () => pool.encryptEach(plaintext, recipients(1500), { urgent: true });
    // u1 on the urgent thread, u2 on the idle shared one, u3 on the urgent thread again (a tie), u4 where one task is ahead of it.
    const tasks = { u1: big(), u2: big(), u3: big(), u4: pool.encryptEach(plaintext, recipients(1), { urgent: true }) };
    const order = await finishing(tasks);
    assert.ok(order.indexOf('u4') < order.indexOf('u3'), `u4 went to the shared thread, behind u2 only: ${order.join(', ')}`);
  });
});

test('beside a broadcast on the shared thread, an urgent task goes to the urgent thread and finishes first', async () => {
  await withPool(async (pool) => {
    const order = await finishing({ broadcast: pool.encryptEach(plaintext, recipients(3000)), alert: pool.encryptEach(plaintext, recipients(1), { urgent: true }) });
    assert.deepEqual(order, ['alert', 'broadcast']);
  });
});
