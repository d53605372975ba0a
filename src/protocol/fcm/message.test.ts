import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fcmErrorBody, parseFcmError } from './error-body.ts';
import { buildFcmMessage, fcmDuration, fcmPayloadBytes, isReservedDataKey, sendPath } from './message.ts';

test('a message in Google’s field names, with overrides merged into android last', () => {
  const body = buildFcmMessage({
    token: 'tok',
    notification: { title: 'T', body: 'B', image: 'https://x/i.png' },
    data: { id: 'ntf_1' },
    android: { ttlSeconds: 3600.7, priority: 'HIGH', collapseKey: 'promo', notification: { tag: 't', clickAction: 'OPEN', notificationCount: 2, notificationPriority: 'PRIORITY_HIGH', channelId: 'c' } },
    androidOverrides: { restricted_package_name: 'com.example', notification: { color: '#ff0000', tag: 'override' } },
  });
  assert.deepEqual(body, {
    message: {
      token: 'tok',
      notification: { title: 'T', body: 'B', image: 'https://x/i.png' },
      data: { id: 'ntf_1' },
      android: {
        ttl: '3600s',
        priority: 'HIGH',
        collapse_key: 'promo',
        notification: { tag: 'override', click_action: 'OPEN', notification_count: 2, notification_priority: 'PRIORITY_HIGH', channel_id: 'c', color: '#ff0000' },
        restricted_package_name: 'com.example',
      },
    },
  });
  assert.equal(sendPath('my-project'), '/v1/projects/my-project/messages:send');
  assert.equal(fcmDuration(0), '0s');
});

test('the payload size counts what the device receives, not the token or delivery options', () => {
  const a = buildFcmMessage({ token: 'short', data: { k: 'v' }, android: { ttlSeconds: 1, priority: 'NORMAL' } });
  const b = buildFcmMessage({ token: 'x'.repeat(500), data: { k: 'v' }, android: { ttlSeconds: 2_419_200, priority: 'HIGH', collapseKey: 'c'.repeat(60) } });
  assert.equal(fcmPayloadBytes(a), fcmPayloadBytes(b));
});

test('data keys FCM reserves', () => {
  for (const k of ['from', 'message_type', 'notification', 'google.c.a', 'gcm.notification.x', 'GoogleThing']) assert.ok(isReservedDataKey(k), k);
  for (const k of ['id', 'url', 'collapse_key', 'fromage']) assert.ok(!isReservedDataKey(k), k);
});

test('error bodies: the FcmError code and BadRequest field violations are read from the details', () => {
  const e = parseFcmError(fcmErrorBody(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'));
  assert.deepEqual(e, { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.', errorCode: 'UNREGISTERED', fieldViolations: [] });
  // Google's own example of a bad data value.
  const google = `{"error":{"code":400,"message":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"message.data[0].value","description":"Invalid value at 'message.data[0].value' (TYPE_STRING), 12"}]}]}}`;
  assert.deepEqual(parseFcmError(google)?.fieldViolations.map((f) => f.field), ['message.data[0].value']);
  assert.equal(parseFcmError(google)?.errorCode, undefined);
  assert.equal(parseFcmError('<html>502</html>'), undefined);
  assert.equal(parseFcmError('{"nope":1}'), undefined);
});
