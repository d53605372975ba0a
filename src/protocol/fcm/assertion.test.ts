import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { FCM_SCOPE, JWT_BEARER_GRANT, parseTokenResponse, signAssertion, tokenRequestBody } from './assertion.ts';
import { InvalidServiceAccountError, OAuthTokenError } from './errors.ts';
import { parseServiceAccount, serviceAccountSigningKey } from './service-account.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const account = {
  type: 'service_account',
  project_id: 'my-project-123',
  private_key_id: 'a1b2c3',
  private_key: pem,
  client_email: 'sender@my-project-123.iam.gserviceaccount.com',
  client_id: '1234',
  token_uri: 'https://oauth2.googleapis.com/token',
};

test('the assertion is an RS256 JWT for the token URI with the firebase.messaging scope, one hour long', async () => {
  const jwt = signAssertion({ key: serviceAccountSigningKey(pem), clientEmail: account.client_email, privateKeyId: 'a1b2c3', audience: account.token_uri, issuedAt: 1_700_000_000 });
  assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'RS256', typ: 'JWT', kid: 'a1b2c3' });
  const { payload } = await jwtVerify(jwt, publicKey, { algorithms: ['RS256'], currentDate: new Date(1_700_000_100_000) });
  assert.deepEqual(payload, { iss: account.client_email, scope: FCM_SCOPE, aud: account.token_uri, iat: 1_700_000_000, exp: 1_700_003_600 });
  assert.deepEqual(Object.fromEntries(new URLSearchParams(tokenRequestBody(jwt))), { grant_type: JWT_BEARER_GRANT, assertion: jwt });
});

test('token answers: RFC 6749 §5.1 success, §5.2 errors with their code', () => {
  assert.deepEqual(parseTokenResponse(200, '{"access_token":"ya29.x","expires_in":3599,"token_type":"Bearer"}'), { accessToken: 'ya29.x', expiresIn: 3599 });
  assert.throws(
    () => parseTokenResponse(400, '{"error":"invalid_grant","error_description":"Invalid JWT Signature."}'),
    (e: unknown) => e instanceof OAuthTokenError && e.status === 400 && e.error === 'invalid_grant' && /Invalid JWT Signature/.test(e.message),
  );
  assert.throws(() => parseTokenResponse(503, '<html>'), (e: unknown) => e instanceof OAuthTokenError && e.error === 'http_error');
  assert.throws(() => parseTokenResponse(200, '{"access_token":"x"}'), (e: unknown) => e instanceof OAuthTokenError && e.error === 'malformed_response');
  assert.throws(() => parseTokenResponse(200, '{"access_token":"x","expires_in":60,"token_type":"MAC"}'), OAuthTokenError);
});

test('the service account JSON: what is used is checked, and errors name the member, never the key', () => {
  assert.deepEqual(parseServiceAccount(account), {
    projectId: 'my-project-123',
    privateKeyId: 'a1b2c3',
    privateKey: pem,
    clientEmail: account.client_email,
    tokenUri: account.token_uri,
  });
  const field = (patch: Record<string, unknown>) => {
    try {
      parseServiceAccount({ ...account, ...patch });
    } catch (e) {
      assert.ok(e instanceof InvalidServiceAccountError);
      assert.ok(!e.message.includes('MII'), 'the key is not quoted');
      return e.field;
    }
    return undefined;
  };
  assert.equal(field({ type: 'authorized_user' }), 'type');
  assert.equal(field({ project_id: 'X' }), 'project_id');
  assert.equal(field({ private_key: 'nope' }), 'private_key');
  assert.equal(field({ private_key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) }), 'private_key');
  assert.equal(field({ client_email: 'nobody' }), 'client_email');
  assert.equal(field({ token_uri: 'not a url' }), 'token_uri');
  assert.equal(field({ private_key_id: '' }), 'private_key_id');
});
