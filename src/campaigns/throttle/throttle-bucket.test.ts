import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshState, takeTokens, throttleRate } from './throttle-bucket.ts';

/**
 * Batches of a campaign asking the one bucket as a queue would run them: each asks when it
 * is due, sends what it is granted, and the rest comes back as a new batch after the wait.
 * Returns the send instants and how many times batches asked.
 */
function simulate(perMinute: number, batches: number, size: number, start = 0) {
  const rate = throttleRate(perMinute);
  let state = freshState(rate, start);
  const due: { at: number; n: number }[] = Array.from({ length: batches }, () => ({ at: start, n: size }));
  const sent: number[] = [];
  let asks = 0;
  while (due.length > 0) {
    due.sort((a, b) => a.at - b.at);
    const b = due.shift()!;
    asks++;
    const t = takeTokens(state, rate, b.n, b.at);
    state = t.state;
    for (let i = 0; i < t.granted; i++) sent.push(b.at);
    if (t.granted < b.n) due.push({ at: b.at + t.waitMs, n: b.n - t.granted });
  }
  return { sent, asks };
}

/** The most sends in any half-open minute [t, t + 60 s). */
function busiestMinute(sent: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; i < sent.length; i++) {
    while (sent[i]! - sent[j]! >= 60_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

test('the bucket: one second’s worth, refilled so that a minute holds at most N', () => {
  assert.deepEqual(throttleRate(1), { perMinute: 1, size: 1, perMs: 1 / 60_000 });
  assert.deepEqual(throttleRate(6000), { perMinute: 6000, size: 100, perMs: 5901 / 60_000 });
  const r = throttleRate(5);
  const first = takeTokens(freshState(r, 0), r, 3, 0);
  assert.equal(first.granted, 1, 'a bucket of one');
  assert.equal(first.waitMs, 12_000, 'the next token in 60 / 5 s');
  const early = takeTokens(first.state, r, 1, 11_999);
  assert.equal(early.granted, 0);
  const onTime = takeTokens(first.state, r, 1, 12_000);
  assert.equal(onTime.granted, 1);
});

for (const [perMinute, batches, size] of [
  [5, 3, 4],
  [60, 10, 7],
  [600, 40, 50],
  [6000, 200, 500],
] as const) {
  test(`${batches} batches of ${size} at ${perMinute} a minute: all sent, never more than ${perMinute} in a minute, batches asking a bounded number of times`, () => {
    const { sent, asks } = simulate(perMinute, batches, size);
    assert.equal(sent.length, batches * size, 'none dropped');
    assert.ok(busiestMinute(sent) <= perMinute, `busiest minute ${busiestMinute(sent)}`);
    const rate = throttleRate(perMinute);
    // Sustained at the bucket's rate: the last send no later than a little past what it allows.
    const least = ((batches * size - rate.size) / rate.perMs) | 0;
    assert.ok(sent.at(-1)! <= least * 1.1 + 60_000, `last send at ${sent.at(-1)} ms; ${least} ms would do`);
    // The waiting line: each batch comes back about once per bucketful it needs, not once per refill.
    const bucketfuls = batches * Math.ceil(size / rate.size);
    assert.ok(asks <= 2 * bucketfuls + batches, `${asks} asks for ${bucketfuls} bucketfuls`);
  });
}

test('a clock behind the bucket refills nothing; a bucket found full forgets its waiting line', () => {
  const r = throttleRate(60);
  const a = takeTokens(freshState(r, 10_000), r, 5, 10_000);
  assert.equal(a.granted, 1);
  assert.equal(a.state.waiting, 4);
  const behind = takeTokens(a.state, r, 1, 9_000);
  assert.equal(behind.granted, 0, 'no tokens from a clock running behind');
  const later = takeTokens(a.state, r, 1, 70_000);
  assert.equal(later.granted, 1);
  assert.equal(later.state.waiting, 0, 'nobody came back for a minute: the line is forgotten');
});
