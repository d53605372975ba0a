import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OriginSemaphore } from './origin-semaphore.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('grants up to the limit per key, then queues first in, first out', async () => {
  const semaphore = new OriginSemaphore(2);
  const a1 = await semaphore.acquire('a');
  const a2 = await semaphore.acquire('a');
  const b1 = await semaphore.acquire('b'); // another origin is not held up by 'a'
  const order: number[] = [];
  const waiters = [3, 4, 5].map((n) => semaphore.acquire('a').then((release) => (order.push(n), release)));
  await tick();
  assert.deepEqual(order, []);
  assert.equal(semaphore.active, 3);
  assert.equal(semaphore.waiting, 3);

  a1();
  await tick();
  assert.deepEqual(order, [3]);
  a2();
  a2(); // releasing twice frees one slot, not two
  await tick();
  assert.deepEqual(order, [3, 4]);
  assert.equal(semaphore.active, 3);
  assert.equal(semaphore.waiting, 1);

  const [r3, r4] = await Promise.all(waiters.slice(0, 2));
  r3!();
  const r5 = await waiters[2]!;
  assert.deepEqual(order, [3, 4, 5]);
  r4!();
  r5();
  b1();
  assert.equal(semaphore.active, 0);
  assert.equal(semaphore.waiting, 0);
});

test('rejects a limit that is not a positive integer', () => {
  assert.throws(() => new OriginSemaphore(0), RangeError);
  assert.throws(() => new OriginSemaphore(1.5), RangeError);
});
