import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextAttemptDelay } from './retry-schedule.ts';

test('retries follow 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then stop', () => {
  const s = 1000;
  const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => nextAttemptDelay(n));
  assert.deepEqual(delays, [5 * s, 300 * s, 1800 * s, 7200 * s, 18_000 * s, 36_000 * s, 36_000 * s, undefined]);
});

test('a Retry-After later than the schedule wins; an earlier one does not hurry it', () => {
  assert.equal(nextAttemptDelay(1, 60_000), 60_000);
  assert.equal(nextAttemptDelay(2, 1_000), 300_000);
  assert.equal(nextAttemptDelay(8, 1_000), undefined);
});
