import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AccessTokenCache } from './access-token-cache.ts';

const account = { clientEmail: 'a@p.iam.gserviceaccount.com', privateKeyId: 'k1', keyFingerprint: 'f1', tokenUri: 'https://oauth2.googleapis.com/token' };

test('one exchange serves concurrent callers; the token is reused until 5 minutes before it expires', async () => {
  let now = 1_700_000_000_000;
  let exchanges = 0;
  const cache = new AccessTokenCache(async () => ({ accessToken: `t${++exchanges}`, expiresIn: 3600 }), () => now);
  const [a, b] = await Promise.all([cache.get(account), cache.get(account)]);
  assert.deepEqual([a, b, exchanges], ['t1', 't1', 1]);
  now += 54 * 60_000;
  assert.equal(await cache.get(account), 't1');
  now += 2 * 60_000;
  assert.equal(await cache.get(account), 't2', 'renewed inside the last 5 minutes');
  // Same ids, another key (an app copying another's public fields): not the same token.
  assert.equal(await cache.get({ ...account, keyFingerprint: 'f2' }), 't3');
});

test('a refused token is dropped; a failed exchange is not cached', async () => {
  let exchanges = 0;
  let fail = true;
  const cache = new AccessTokenCache(async () => {
    exchanges++;
    if (fail) throw new Error('token endpoint down');
    return { accessToken: `t${exchanges}`, expiresIn: 3600 };
  }, Date.now);
  await assert.rejects(cache.get(account), /down/);
  fail = false;
  const token = await cache.get(account);
  cache.invalidate(account, 'some older token');
  assert.equal(await cache.get(account), token, 'only the refused token is dropped');
  cache.invalidate(account, token);
  assert.notEqual(await cache.get(account), token);
});
