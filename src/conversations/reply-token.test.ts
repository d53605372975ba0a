import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox } from '../crypto/secret-box.ts';
import { checkReplyToken, makeReplyToken } from './reply-token.ts';

const box = new SecretBox(randomBytes(32));
const claims = { appId: 'app_a', notificationId: 'ntf_n', subscriptionId: 'sub_s', conversationId: 'cnv_c', expiresAt: 1_800_000_000_500 };

test('a token verifies with its claims until its expiry, kept to the whole second before it', () => {
  const token = makeReplyToken(box, claims);
  assert.match(token, /^cr1\.app_a\.ntf_n\.sub_s\.cnv_c\.1800000000\.[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(checkReplyToken(box, token, 1_799_999_999_999), { ok: true, claims: { ...claims, expiresAt: 1_800_000_000_000 } });
  assert.deepEqual(checkReplyToken(box, token, 1_800_000_000_000), { ok: false, reason: 'expired' });
});

test('any part changed, another key, or another shape is refused before the expiry is looked at', () => {
  const token = makeReplyToken(box, claims);
  const parts = token.split('.');
  for (let i = 1; i <= 5; i++) {
    const changed = [...parts];
    changed[i] = i === 5 ? '1900000000' : `${changed[i]}x`;
    assert.deepEqual(checkReplyToken(box, changed.join('.'), 0), { ok: false, reason: 'bad_signature' }, `part ${i}`);
  }
  assert.deepEqual(checkReplyToken(new SecretBox(randomBytes(32)), token, 0), { ok: false, reason: 'bad_signature' });
  for (const bad of ['', 'cr1', `cr2.${parts.slice(1).join('.')}`, `${token}.x`, token.replace('cnv_c', 'cnv c'), token.replace('1800000000', '18e8')]) {
    assert.deepEqual(checkReplyToken(box, bad, 0), { ok: false, reason: 'malformed' }, bad);
  }
});

test('a token made under a previous master key still verifies after a rotation', () => {
  const old = randomBytes(32);
  const token = makeReplyToken(new SecretBox(old), claims);
  assert.equal(checkReplyToken(new SecretBox(randomBytes(32), [old]), token, 0).ok, true);
});
