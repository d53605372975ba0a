import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activityEvent, batchBody } from './message-body.ts';

const row = {
  seq: 7,
  appId: 'app_1',
  type: 'clicked' as const,
  at: Date.parse('2026-03-01T12:00:00Z'),
  notificationId: 'ntf_1',
  campaignId: null,
  variant: null,
  category: 'orders',
  channel: 'webpush',
  subscriptionId: 'sub_1',
  userId: null,
  action: null,
  value: null,
  data: null,
};

test('an activity row becomes {type, timestamp, data}, fields that do not apply left out', () => {
  assert.deepEqual(activityEvent(row), {
    type: 'notification.clicked',
    timestamp: '2026-03-01T12:00:00.000Z',
    data: { seq: 7, appId: 'app_1', notificationId: 'ntf_1', category: 'orders', channel: 'webpush', subscriptionId: 'sub_1' },
  });
});

test('a subscription outcome is subscription.*, and details carry the row’s own data', () => {
  const e = activityEvent({ ...row, type: 'opted_out', notificationId: null, data: { reason: 'revoked' } });
  assert.equal(e.type, 'subscription.opted_out');
  assert.deepEqual(e.data.details, { reason: 'revoked' });
  assert.equal('notificationId' in e.data, false);
});

test('a value of 0 is kept: only null and absent fields are left out', () => {
  assert.equal(activityEvent({ ...row, type: 'converted', value: 0 }).data.value, 0);
});

test('a batch is {type: "batch", timestamp, data: [events]} in the order given', () => {
  const events = [activityEvent(row), activityEvent({ ...row, seq: 8 })];
  const body = JSON.parse(batchBody(events, Date.parse('2026-03-01T12:00:01Z')));
  assert.equal(body.type, 'batch');
  assert.equal(body.timestamp, '2026-03-01T12:00:01.000Z');
  assert.deepEqual(body.data.map((e: any) => e.data.seq), [7, 8]);
});
