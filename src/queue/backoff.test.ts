import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelay } from './backoff.ts';

test('retry delays double per attempt within the jitter band and stop at the cap', () => {
  assert.equal(retryDelay(1, 1000, 60_000, () => 0), 500);
  assert.equal(retryDelay(1, 1000, 60_000, () => 1), 1000);
  assert.equal(retryDelay(3, 1000, 60_000, () => 1), 4000);
  assert.equal(retryDelay(20, 1000, 60_000, () => 1), 60_000);
  assert.equal(retryDelay(20, 1000, 60_000, () => 0), 30_000);
});
