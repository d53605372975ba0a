import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERRORS } from '../../src/errors/catalogue.ts';
import { CLIENT_ERRORS, ERRORS as SDK_ERRORS, CarillonError } from '../../sdk/src/errors.ts';

test('the SDK lists exactly the server’s error codes, with the same statuses and titles', () => {
  const missing = Object.keys(ERRORS).filter((code) => !(code in SDK_ERRORS));
  const extra = Object.keys(SDK_ERRORS).filter((code) => !(code in ERRORS));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, 'update sdk/src/errors.ts with src/errors/catalogue.ts');
  assert.deepEqual(SDK_ERRORS, ERRORS);
});

test('the SDK’s own codes never reuse a server code', () => {
  for (const code of Object.keys(CLIENT_ERRORS)) assert.ok(!(code in ERRORS), code);
});

test('a problem answer becomes a CarillonError with the server’s code, known or not', () => {
  const known = CarillonError.fromProblem(403, { code: 'forbidden', detail: 'This API key belongs to another app' });
  assert.equal(known.code, 'forbidden');
  assert.equal(known.status, 403);
  assert.equal(known.message, 'This API key belongs to another app');
  assert.equal(CarillonError.fromProblem(409, { code: 'a_newer_code' }).code, 'a_newer_code');
  assert.equal(CarillonError.fromProblem(502, undefined).code, 'internal', 'a proxy’s error page');
  assert.equal(new CarillonError('network_error').status, 0);
});
