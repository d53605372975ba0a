import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from './retry-after.ts';

test('Retry-After is read as seconds or as an HTTP date, and capped', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('7', now, 600_000), 7000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now, 600_000), 30_000);
  assert.equal(parseRetryAfter('999999', now, 600_000), 600_000);
  assert.equal(parseRetryAfter('soon', now, 600_000), undefined);
  assert.equal(parseRetryAfter(undefined, now, 600_000), undefined);
});
