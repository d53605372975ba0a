import { test } from 'node:test';
import assert from 'node:assert/strict';
import { androidPriority, buildFcmMessageFor } from './build-message.ts';

test('android.priority: HIGH for notification messages at normal urgency (FCM’s default), NORMAL for data messages', () => {
  assert.equal(androidPriority({ title: 'T' }, 'normal'), 'HIGH');
  assert.equal(androidPriority({ title: 'T' }, 'low'), 'NORMAL');
  assert.equal(androidPriority({ title: 'T', contentAvailable: true }, 'normal'), 'NORMAL');
  assert.equal(androidPriority({ title: 'T', contentAvailable: true }, 'high'), 'HIGH');
  assert.equal(androidPriority({ title: 'T', interruptionLevel: 'critical' }, 'very-low'), 'HIGH');
  assert.equal(androidPriority({ title: 'T', fcm: { priority: 'NORMAL' } }, 'high'), 'NORMAL');
});

test('data values are strings; fcm.data adds entries; Carillon’s own keys win over both', () => {
  const { message } = buildFcmMessageFor('ntf_1', 'tok', {
    content: { title: 'T', url: 'https://x/', silent: true, sound: 'ping', data: { n: 1, nested: { a: [1] }, id: 'spoof' }, fcm: { data: { extra: 'yes', id: 'spoof' } } },
    ttl: 10,
    urgency: 'normal',
    topic: null,
  });
  assert.deepEqual(message.data, { n: '1', nested: '{"a":[1]}', id: 'ntf_1', extra: 'yes', url: 'https://x/' });
  assert.equal((message.android as any).notification, undefined, '`silent` drops the sound; nothing else was asked for');
  assert.equal((message.android as any).collapse_key, undefined);
});
