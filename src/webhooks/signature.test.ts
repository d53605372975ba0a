import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { generateSecret, sign, signedHeaders } from './signature.ts';

test('a signature verifies with the Standard Webhooks reference library', () => {
  const secret = generateSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  const body = JSON.stringify({ type: 'notification.clicked', timestamp: '2026-01-01T00:00:00.000Z', data: { a: 1 } });
  const now = Date.now();
  const headers = signedHeaders([secret], 'msg_1', now, body);
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
});

test('the spec example: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw signs msg_p5jXN8AQM9LWM0D4loKWxJek at 1614265330', () => {
  // From the Standard Webhooks specification's worked example.
  const sig = sign('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
  assert.equal(sig, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
});

test('two secrets give two signatures, and each alone verifies', () => {
  const a = generateSecret();
  const b = generateSecret();
  const body = '{"type":"x"}';
  const headers = signedHeaders([a, b], 'msg_2', Date.now(), body);
  assert.equal(headers['webhook-signature']!.split(' ').length, 2);
  new Webhook(a).verify(body, headers);
  new Webhook(b).verify(body, headers);
  assert.throws(() => new Webhook(generateSecret()).verify(body, headers));
});
