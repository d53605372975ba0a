import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as apns from '../protocol/apns/index.ts';
import * as fcm from '../protocol/fcm/index.ts';
import * as webpush from '../protocol/webpush/index.ts';
import { ApiError } from './api-error.ts';
import { ERRORS } from './catalogue.ts';
import { PROTOCOL_ERRORS, fromProtocolError } from './protocol-errors.ts';

/** The `code` of every error class the protocol code exports. */
const protocolCodes = new Set(
  [apns, fcm, webpush].flatMap((m) => Object.values(m).flatMap((v) => (typeof v === 'function' && v.prototype instanceof Error && typeof (v as { code?: unknown }).code === 'string' ? [(v as unknown as { code: string }).code] : []))),
);

test('every protocol code in the map is a real protocol error, mapped to a catalogue code', () => {
  assert.ok(protocolCodes.size >= 10, 'the protocol error classes were found');
  for (const [code, apiCode] of Object.entries(PROTOCOL_ERRORS)) {
    assert.ok(protocolCodes.has(code), `${code} is the code of no protocol error class`);
    assert.ok(apiCode in ERRORS, `${apiCode} is in the catalogue`);
  }
});

test('a protocol error becomes its API error, with the field it came in as the detail prefix', () => {
  const e = fromProtocolError(new webpush.InvalidAuthSecretError('length', 'the auth secret is 16 bytes'), { field: 'keys.auth' });
  assert.ok(e instanceof ApiError);
  assert.deepEqual([e.code, e.status, e.message], ['invalid_subscription_keys', 400, 'keys.auth: the auth secret is 16 bytes']);

  const token = fromProtocolError(new apns.InvalidDeviceTokenError('format', 'an APNs device token is hexadecimal'), { field: 'token', extra: { reason: 'format' } });
  assert.ok(token instanceof ApiError);
  assert.deepEqual(token.toProblem(), { ...token.toProblem(), code: 'invalid_device_token', detail: 'token: an APNs device token is hexadecimal', reason: 'format' });

  const subject = fromProtocolError(new webpush.VapidSubjectError('scheme', 'the subject must be a mailto: or https: URI'));
  assert.ok(subject instanceof ApiError);
  assert.deepEqual([subject.code, subject.message], ['invalid_vapid_subject', 'the subject must be a mailto: or https: URI']);

  const account = fromProtocolError(new fcm.InvalidServiceAccountError('type', 'not a service account'));
  assert.equal((account as ApiError).code, 'credentials_invalid');
});

test('errors that are not the client to fix pass through, to be rethrown as they are', () => {
  for (const err of [new webpush.VapidKeyError('mismatch', 'stored keys do not match'), new TypeError('bug'), Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), 'a string']) {
    assert.equal(fromProtocolError(err, { field: 'x' }), err);
  }
});
