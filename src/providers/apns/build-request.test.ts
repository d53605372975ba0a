import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OutgoingMessage } from '../channel.ts';
import { apnsOrigin, apnsPriority, buildApnsRequest } from './build-request.ts';

const message = (content: Partial<OutgoingMessage['content']> = {}, rest: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: 'ntf_1',
  appId: 'app_1',
  content: { title: 'T', ...content },
  ttl: 60,
  urgency: 'normal',
  topic: null,
  ...rest,
});

test("sandbox devices go to Apple's sandbox host, unless another APNs URL is configured", () => {
  assert.equal(apnsOrigin('production', 'https://api.push.apple.com'), 'https://api.push.apple.com');
  assert.equal(apnsOrigin('sandbox', 'https://api.push.apple.com'), 'https://api.sandbox.push.apple.com');
  assert.equal(apnsOrigin(null, 'https://api.push.apple.com'), 'https://api.push.apple.com');
  assert.equal(apnsOrigin('sandbox', 'https://127.0.0.1:4443'), 'https://127.0.0.1:4443');
});

test('apns-priority follows the urgency; background pushes at 5, time-sensitive and critical at 10, an override wins', () => {
  assert.equal(apnsPriority({ title: 'T' }, 'high'), 10);
  assert.equal(apnsPriority({ title: 'T' }, 'normal'), 10);
  assert.equal(apnsPriority({ title: 'T' }, 'low'), 5);
  assert.equal(apnsPriority({ title: 'T' }, 'very-low'), 1);
  assert.equal(apnsPriority({ title: 'T', contentAvailable: true }, 'high'), 5);
  assert.equal(apnsPriority({ title: 'T', interruptionLevel: 'time-sensitive' }, 'low'), 10);
  assert.equal(apnsPriority({ title: 'T', apns: { priority: 1 } }, 'high'), 1);
});

test('the request: the device path, the subscription topic over the default, the collapse id from topic or override', () => {
  const ctx = { apnsUrl: 'https://api.push.apple.com', defaultTopic: 'com.example.app', authorization: 'bearer t', payload: Buffer.from('{}'), nowMs: 1_700_000_000_000 };
  const r = buildApnsRequest({ id: 'sub_1', address: 'ab'.repeat(32), environment: 'sandbox', appTopic: 'com.example.watch' }, message({}, { topic: 'promo' }), ctx);
  assert.equal(r.origin, 'https://api.sandbox.push.apple.com');
  assert.equal(r.path, `/3/device/${'ab'.repeat(32)}`);
  assert.equal(r.headers['apns-topic'], 'com.example.watch');
  assert.equal(r.headers['apns-collapse-id'], 'promo');
  assert.equal(r.headers['apns-expiration'], '1700000060');
  const bg = buildApnsRequest({ id: 'sub_1', address: 'ab'.repeat(32), environment: null, appTopic: null }, message({ contentAvailable: true, apns: { collapseId: 'x' } }, { ttl: 0 }), ctx);
  assert.equal(bg.headers['apns-topic'], 'com.example.app');
  assert.equal(bg.headers['apns-push-type'], 'background');
  assert.equal(bg.headers['apns-collapse-id'], 'x');
  assert.equal(bg.headers['apns-expiration'], '0');
});
