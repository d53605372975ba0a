import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDeviceToken } from './device-token.ts';
import { InvalidApnsHeaderError, InvalidDeviceTokenError } from './errors.ts';
import { apnsExpiration, apnsIdFor, buildApnsHeaders, devicePath } from './headers.ts';
import { apnsPayloadBytes, buildApnsPayload } from './payload.ts';

test('the aps dictionary uses Apple’s key names; custom keys sit beside it and cannot replace it', () => {
  const payload = buildApnsPayload(
    { alert: { title: 'T', subtitle: 'S', body: 'B' }, sound: 'ping.caf', badge: 0, threadId: 'th', category: 'CAT', mutableContent: true, interruptionLevel: 'passive' },
    { id: 'ntf_1', aps: 'ignored' },
  );
  assert.deepEqual(payload, {
    aps: { alert: { title: 'T', subtitle: 'S', body: 'B' }, badge: 0, sound: 'ping.caf', 'thread-id': 'th', category: 'CAT', 'mutable-content': 1, 'interruption-level': 'passive' },
    id: 'ntf_1',
  });
  assert.equal(apnsPayloadBytes(payload), Buffer.byteLength(JSON.stringify(payload)));
});

test('a critical alert names its sound in a dictionary; a background push is content-available only; aps extras win', () => {
  assert.deepEqual(buildApnsPayload({ alert: { title: 'Flood' }, sound: 'default', interruptionLevel: 'critical' }).aps, {
    alert: { title: 'Flood' },
    sound: { critical: 1, name: 'default', volume: 1 },
    'interruption-level': 'critical',
  });
  assert.deepEqual(buildApnsPayload({ contentAvailable: true, aps: { 'relevance-score': 0.5 } }), { aps: { 'content-available': 1, 'relevance-score': 0.5 } });
});

test('headers: apns-topic is required, the collapse id is at most 64 bytes, expiration 0 means now or never', () => {
  const base = { topic: 'com.example.app', pushType: 'alert' as const, priority: 10 as const, expiration: 1_700_003_600, apnsId: apnsIdFor('ntf_1', 'sub_1'), authorization: 'bearer x' };
  assert.deepEqual(buildApnsHeaders({ ...base, collapseId: 'promo' }), {
    authorization: 'bearer x',
    'apns-topic': 'com.example.app',
    'apns-push-type': 'alert',
    'apns-priority': '10',
    'apns-expiration': '1700003600',
    'apns-id': base.apnsId,
    'content-type': 'application/json',
    'apns-collapse-id': 'promo',
  });
  assert.throws(() => buildApnsHeaders({ ...base, collapseId: 'é'.repeat(33) }), (e: unknown) => e instanceof InvalidApnsHeaderError && e.reason === 'collapse_id');
  assert.throws(() => buildApnsHeaders({ ...base, topic: '' }), InvalidApnsHeaderError);
  assert.equal(apnsExpiration(0, 1_700_000_000_000), 0);
  assert.equal(apnsExpiration(60, 1_700_000_000_500), 1_700_000_060);
});

test('apns-id is a canonical UUID, stable for one message to one device', () => {
  const a = apnsIdFor('ntf_1', 'sub_1');
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(apnsIdFor('ntf_1', 'sub_1'), a);
  assert.notEqual(apnsIdFor('ntf_1', 'sub_2'), a);
});

test('device tokens: hex of whole bytes, 32 bytes or more (Apple may lengthen them), stored lower-case', () => {
  const token = 'AB'.repeat(32);
  assert.equal(normalizeDeviceToken(token), 'ab'.repeat(32));
  assert.equal(devicePath(normalizeDeviceToken(token)), `/3/device/${'ab'.repeat(32)}`);
  assert.equal(normalizeDeviceToken('0f'.repeat(50)).length, 100);
  assert.throws(() => normalizeDeviceToken('ab'.repeat(31)), (e: unknown) => e instanceof InvalidDeviceTokenError && e.reason === 'length');
  assert.throws(() => normalizeDeviceToken(`${'ab'.repeat(32)}a`), (e: unknown) => e instanceof InvalidDeviceTokenError && e.reason === 'length');
  assert.throws(() => normalizeDeviceToken(`<${'ab'.repeat(32)}>`), (e: unknown) => e instanceof InvalidDeviceTokenError && e.reason === 'format');
});
