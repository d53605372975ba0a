import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt } from 'jose';
import { ProviderTokenCache } from './provider-token-cache.ts';

const key = { keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, keyFingerprint: 'f1' };
const T0 = 1_700_000_000_000;
const MIN = 60_000;
const iat = (authorization: string) => decodeJwt(authorization.slice('bearer '.length)).iat;

test('one token is reused for 50 minutes (Apple: refresh between 20 and 60), then replaced', () => {
  const cache = new ProviderTokenCache();
  const first = cache.authorization(key, T0);
  assert.match(first, /^bearer ey/);
  assert.equal(cache.authorization(key, T0 + 49 * MIN), first);
  const next = cache.authorization(key, T0 + 50 * MIN);
  assert.notEqual(next, first);
  assert.equal(iat(next), T0 / 1000 + 50 * 60);
  assert.notEqual(cache.authorization({ ...key, keyFingerprint: 'f2' }, T0), first, 'another key, another token');
});

test('a refused token is replaced once; a replacement refused within 20 minutes is not replaced again', () => {
  const cache = new ProviderTokenCache();
  const first = cache.authorization(key, T0);
  assert.equal(cache.replaceRefused(key, first, T0 + MIN), true);
  const second = cache.authorization(key, T0 + MIN);
  assert.notEqual(second, first);
  // Another batch that still held the first token: the replacement is already there.
  assert.equal(cache.replaceRefused(key, first, T0 + MIN), true);
  assert.equal(cache.authorization(key, T0 + MIN), second);
  // The replacement is refused too: the key is wrong; another token would only earn TooManyProviderTokenUpdates.
  assert.equal(cache.replaceRefused(key, second, T0 + 10 * MIN), false);
  assert.equal(cache.authorization(key, T0 + 10 * MIN), second);
  // 20 minutes on, one more try is allowed.
  assert.equal(cache.replaceRefused(key, second, T0 + 21 * MIN), true);
  assert.notEqual(cache.authorization(key, T0 + 21 * MIN), second);
});
