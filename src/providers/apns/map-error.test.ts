import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isProviderTokenRefusal, mapApnsResponse } from './map-error.ts';

const map = (status: number, reason?: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  mapApnsResponse(status, headers, reason ? JSON.stringify({ reason, ...extra }) : '', 1_700_000_000_000, 60_000);

test('Apple’s answers map to outcomes by status and reason code', () => {
  assert.deepEqual(map(200), { kind: 'delivered', status: 200 });
  assert.deepEqual(map(410, 'Unregistered', { timestamp: 1_699_000_000_000 }), { kind: 'gone', status: 410, reason: 'Unregistered since 2023-11-03T08:26:40.000Z' });
  assert.deepEqual(map(410, 'ExpiredToken'), { kind: 'gone', status: 410, reason: 'ExpiredToken' });
  assert.deepEqual(map(400, 'BadDeviceToken'), { kind: 'gone', status: 400, reason: 'BadDeviceToken' });
  assert.deepEqual(map(400, 'DeviceTokenNotForTopic'), { kind: 'gone', status: 400, reason: 'DeviceTokenNotForTopic' });
  assert.deepEqual(map(429, 'TooManyRequests'), { kind: 'throttled', status: 429, reason: 'TooManyRequests', afterMs: undefined });
  assert.deepEqual(map(429, 'TooManyProviderTokenUpdates', {}, { 'retry-after': '30' }), { kind: 'throttled', status: 429, reason: 'TooManyProviderTokenUpdates', afterMs: 30_000 });
  assert.deepEqual(map(500, 'InternalServerError'), { kind: 'retry', status: 500, reason: 'InternalServerError', afterMs: undefined });
  assert.deepEqual(map(503, 'ServiceUnavailable'), { kind: 'retry', status: 503, reason: 'ServiceUnavailable', afterMs: undefined });
  assert.deepEqual(map(503, 'Shutdown'), { kind: 'retry', status: 503, reason: 'Shutdown', afterMs: undefined });
  assert.deepEqual(map(413, 'PayloadTooLarge'), { kind: 'rejected', status: 413, reason: 'PayloadTooLarge' });
  for (const reason of ['BadCollapseId', 'BadPriority', 'BadExpirationDate', 'BadTopic', 'TopicDisallowed', 'MissingTopic', 'BadMessageId']) {
    assert.deepEqual(map(400, reason), { kind: 'rejected', status: 400, reason });
  }
  assert.deepEqual(map(403, 'InvalidProviderToken'), { kind: 'rejected', status: 403, reason: 'InvalidProviderToken', fault: 'credentials' });
  assert.deepEqual(map(403, 'Forbidden'), { kind: 'rejected', status: 403, reason: 'Forbidden' });
  assert.deepEqual(map(502), { kind: 'retry', status: 502, reason: 'HTTP 502', afterMs: undefined });
});

test('only 403s about the provider token ask for a new token', () => {
  for (const reason of ['ExpiredProviderToken', 'InvalidProviderToken', 'MissingProviderToken']) assert.ok(isProviderTokenRefusal(403, JSON.stringify({ reason })));
  assert.ok(!isProviderTokenRefusal(403, JSON.stringify({ reason: 'Forbidden' })));
  assert.ok(!isProviderTokenRefusal(429, JSON.stringify({ reason: 'TooManyProviderTokenUpdates' })));
});
