import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Context } from '../context.ts';
import { ApiError } from '../errors/api-error.ts';
import { limitLogin } from './login-limit.ts';

/** Only what limitLogin reads of the context: the two limits and the shared limiter. */
function contextWith(take: () => Promise<number>): Context {
  return { config: { loginAttemptsPerAccount: 10, loginAttemptsPerAddress: 50 }, limiter: { take } } as unknown as Context;
}
const quiet = { warn() {} };

test('a sign-in is refused with not_ready when the shared limiter cannot be reached, never let through unlimited', async () => {
  const warned: string[] = [];
  const down = contextWith(async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  });
  await assert.rejects(limitLogin(down, 'ada@example.org', '203.0.113.7', { warn: (_o, msg) => warned.push(msg) }), (err) => err instanceof ApiError && err.code === 'not_ready');
  assert.deepEqual(warned, ['login rate limit unavailable; password check refused']);
});

test('within the limits the attempt goes on; past them it is rate_limited with the wait', async () => {
  await limitLogin(contextWith(async () => 0), 'ada@example.org', '203.0.113.7', quiet);
  await assert.rejects(limitLogin(contextWith(async () => 61_000), 'ada@example.org', '203.0.113.7', quiet), (err) => err instanceof ApiError && err.code === 'rate_limited' && /61 s/.test(err.message));
});
