import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from './router.ts';

test('a newer connection takes the uaid over; the old one cannot remove the new route', () => {
  const router = new Router<string>();
  assert.equal(router.attach('u', 'old'), undefined);
  assert.equal(router.attach('u', 'new'), 'old');
  assert.equal(router.detach('u', 'old'), false);
  assert.equal(router.get('u'), 'new');
  assert.equal(router.attach('u', 'new'), undefined);
  assert.equal(router.detach('u', 'new'), true);
  assert.equal(router.size, 0);
});
