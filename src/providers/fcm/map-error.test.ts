import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fcmErrorBody } from '../../protocol/fcm/error-body.ts';
import { isAccessTokenRefusal, mapFcmResponse } from './map-error.ts';

const NOW = 1_700_000_000_000;
const map = (status: number, body: string, headers: Record<string, string> = {}) => mapFcmResponse(status, headers, body, NOW, 600_000);

test('Google’s error codes map to outcomes', () => {
  assert.deepEqual(map(200, '{"name":"projects/p/messages/1"}'), { kind: 'delivered', status: 200 });
  assert.deepEqual(map(404, fcmErrorBody(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED')), { kind: 'gone', status: 404, reason: 'UNREGISTERED: Requested entity was not found.' });
  assert.deepEqual(map(429, fcmErrorBody(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', 'QUOTA_EXCEEDED'), { 'retry-after': '12' }), { kind: 'throttled', status: 429, reason: 'QUOTA_EXCEEDED: Quota exceeded', afterMs: 12_000 });
  assert.deepEqual(map(503, fcmErrorBody(503, 'UNAVAILABLE', 'down', 'UNAVAILABLE')), { kind: 'retry', status: 503, reason: 'UNAVAILABLE: down', afterMs: undefined });
  assert.deepEqual(map(500, fcmErrorBody(500, 'INTERNAL', 'oops', 'INTERNAL')), { kind: 'retry', status: 500, reason: 'INTERNAL: oops', afterMs: undefined });
  assert.deepEqual(map(403, fcmErrorBody(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH')), { kind: 'rejected', status: 403, reason: 'SENDER_ID_MISMATCH: SenderId mismatch' });
  assert.deepEqual(map(401, fcmErrorBody(401, 'UNAUTHENTICATED', 'APNs auth error', 'THIRD_PARTY_AUTH_ERROR')), { kind: 'rejected', status: 401, reason: 'THIRD_PARTY_AUTH_ERROR: APNs auth error', fault: 'credentials' });
  // Without a body Google recognises, the status decides.
  assert.deepEqual(map(502, '<html>Bad Gateway</html>'), { kind: 'retry', status: 502, reason: 'INTERNAL', afterMs: undefined });
  assert.deepEqual(map(429, ''), { kind: 'throttled', status: 429, reason: 'QUOTA_EXCEEDED', afterMs: undefined });
});

test('INVALID_ARGUMENT prunes when it is about the token, and is a rejection when a message field is named', () => {
  // Google's answer to a malformed token: the FcmError detail alone.
  const badToken = fcmErrorBody(400, 'INVALID_ARGUMENT', 'The registration token is not a valid FCM registration token', 'INVALID_ARGUMENT');
  assert.equal(map(400, badToken).kind, 'gone');
  const tokenField = fcmErrorBody(400, 'INVALID_ARGUMENT', 'bad token', undefined, [{ field: 'message.token', description: 'Invalid registration token' }]);
  assert.equal(map(400, tokenField).kind, 'gone');
  const badTtl = fcmErrorBody(400, 'INVALID_ARGUMENT', "Invalid value at 'message.android.ttl'", undefined, [{ field: 'message.android.ttl', description: 'Invalid duration' }]);
  assert.deepEqual(map(400, badTtl), { kind: 'rejected', status: 400, reason: "INVALID_ARGUMENT: Invalid value at 'message.android.ttl'" });
});

test('a 401 without THIRD_PARTY_AUTH_ERROR is our access token: exchange a new one', () => {
  assert.ok(isAccessTokenRefusal(401, fcmErrorBody(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.')));
  assert.ok(!isAccessTokenRefusal(401, fcmErrorBody(401, 'UNAUTHENTICATED', 'x', 'THIRD_PARTY_AUTH_ERROR')));
  assert.ok(!isAccessTokenRefusal(403, fcmErrorBody(403, 'PERMISSION_DENIED', 'x')));
});
