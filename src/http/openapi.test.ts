import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardedProblems, problems } from './openapi.ts';

const codesOf = (responses: Record<number, any>) =>
  Object.fromEntries(Object.entries(responses).map(([status, r]) => [status, r.content['application/problem+json'].schema.properties.code.enum]));

test('problems() keys each catalogue code by its HTTP status, as problem+json', () => {
  const responses = problems('app_not_found', 'invalid_request', 'invalid_json', 'invalid_request');
  assert.deepEqual(codesOf(responses), { 400: ['invalid_request', 'invalid_json'], 404: ['app_not_found'] });
  assert.equal((responses[400] as any).description, '`invalid_request`: The request does not match the API schema; `invalid_json`: The request body is not valid JSON');
  assert.deepEqual((responses[404] as any).content['application/problem+json'].schema.allOf, [{ $ref: 'Problem#' }]);
});

test('guardedProblems() adds what the guard, the parameters and the body can answer', () => {
  // A dashboard session stands in for a key: its end, its CSRF token and its role.
  assert.deepEqual(codesOf(guardedProblems('secret', {})), { 401: ['unauthorized', 'invalid_api_key', 'session_expired'], 403: ['forbidden', 'csrf_invalid', 'role_forbidden'] });
  assert.deepEqual(codesOf(guardedProblems('publishable', { params: true, body: true }, 'subscription_not_found')), {
    400: ['invalid_request', 'invalid_json', 'json_too_deep', 'invalid_unicode'],
    401: ['unauthorized', 'invalid_api_key', 'session_expired'],
    403: ['forbidden', 'csrf_invalid', 'role_forbidden'],
    404: ['subscription_not_found'],
    413: ['body_too_large'],
    415: ['unsupported_media_type'],
    429: ['rate_limited'],
  });
});
