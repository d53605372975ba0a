import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { encryptWebPush } from '../protocol/webpush/ece.ts';
import { generateVapidKeys, signVapidToken, vapidAuthorization, vapidSigningKey } from '../protocol/webpush/vapid.ts';
import { PushRequestError, checkPushRequest, type PushRequestInput } from './push-request.ts';

const audience = 'https://push.example';
const now = 1_700_000_000;
const body = encryptWebPush({ plaintext: Buffer.from('hi'), uaPublic: createECDH('prime256v1').generateKeys(), authSecret: randomBytes(16) });
const base: PushRequestInput = { headers: { ttl: '60', 'content-encoding': 'aes128gcm' }, body, appServerKey: null, audience, now, maxTtl: 86_400 };

function status(input: Partial<PushRequestInput>): number {
  try {
    checkPushRequest({ ...base, ...input });
    return 201;
  } catch (error) {
    assert.ok(error instanceof PushRequestError);
    return error.status;
  }
}

function vapid(keys = generateVapidKeys(), aud = audience, exp = now + 3600): string {
  const token = signVapidToken({ audience: aud, subject: 'mailto:ops@example.com', expiresAt: exp, key: vapidSigningKey(keys.publicKey, keys.privateKey) });
  return vapidAuthorization(token, keys.publicKey);
}

test('a valid request gives the stored form: TTL capped, urgency defaulted, body as base64url', () => {
  const push = checkPushRequest({ ...base, headers: { ...base.headers, ttl: '999999', topic: 'abc' } });
  assert.equal(push.ttl, 86_400);
  assert.equal(push.urgency, 'normal');
  assert.equal(push.topic, 'abc');
  assert.equal(push.encoding, 'aes128gcm');
  assert.deepEqual(Buffer.from(push.data!, 'base64url'), body);
  assert.deepEqual(checkPushRequest({ ...base, body: undefined, headers: { ttl: '0' } }), { ttl: 0, urgency: 'normal', topic: null, data: null, encoding: null, deliveryRef: null });
});

test("a sender's Carillon-Delivery reference is kept as it came; a malformed one is dropped, not refused", () => {
  const ref = 'ntf_abc.sub_def.0123456789abcdefghijkl';
  assert.equal(checkPushRequest({ ...base, headers: { ...base.headers, 'carillon-delivery': ref } }).deliveryRef, ref);
  assert.equal(checkPushRequest({ ...base, headers: { ...base.headers, 'carillon-delivery': 'has space' } }).deliveryRef, null);
  assert.equal(checkPushRequest({ ...base, headers: { ...base.headers, 'carillon-delivery': 'x'.repeat(161) } }).deliveryRef, null);
});

test('RFC 8030 header and size rules', () => {
  assert.equal(status({ headers: { 'content-encoding': 'aes128gcm' } }), 400);
  assert.equal(status({ headers: { ttl: '1.5', 'content-encoding': 'aes128gcm' } }), 400);
  assert.equal(status({ headers: { ...base.headers, urgency: 'asap' } }), 400);
  assert.equal(status({ headers: { ...base.headers, topic: 'has space' } }), 400);
  assert.equal(status({ headers: { ttl: '60' } }), 400);
  assert.equal(status({ body: Buffer.alloc(4097) }), 413);
});

test('a body that is not an RFC 8291 message is refused', () => {
  const truncated = body.subarray(0, 90);
  assert.equal(status({ body: truncated }), 400);
  const badKeyId = Buffer.from(body);
  badKeyId[20] = 64;
  assert.equal(status({ body: badKeyId }), 400);
  const badRs = Buffer.from(body);
  badRs.writeUInt32BE(17, 16);
  assert.equal(status({ body: badRs }), 400);
});

test('RFC 8292 §4.2 on a restricted subscription: absent 401, invalid 403', () => {
  const keys = generateVapidKeys();
  const restricted = { appServerKey: keys.publicKey };
  assert.equal(status(restricted), 401);
  assert.equal(status({ ...restricted, headers: { ...base.headers, authorization: 'WebPush abc' } }), 401);
  assert.equal(status({ ...restricted, headers: { ...base.headers, authorization: vapid(keys) } }), 201);
  assert.equal(status({ ...restricted, headers: { ...base.headers, authorization: vapid() } }), 403);
  assert.equal(status({ ...restricted, headers: { ...base.headers, authorization: vapid(keys, 'https://other.example') } }), 403);
  assert.equal(status({ ...restricted, headers: { ...base.headers, authorization: vapid(keys, audience, now - 1) } }), 403);
  assert.equal(status({ ...restricted, headers: { ...base.headers, authorization: vapid(keys, audience, now + 25 * 3600) } }), 403);
});

test('VAPID is voluntary on other subscriptions, but a vapid header sent must verify', () => {
  assert.equal(status({}), 201);
  assert.equal(status({ headers: { ...base.headers, authorization: vapid() } }), 201);
  assert.equal(status({ headers: { ...base.headers, authorization: 'vapid t=x, k=y' } }), 403);
});
