import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { InvalidApnsKeyError } from './errors.ts';
import { apnsSigningKey, signProviderToken, validateApnsId } from './provider-token.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p8 = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

test('a provider token is an ES256 JWT with kid, iss = team id and iat, verifiable with the public half', async () => {
  const jwt = signProviderToken({ key: apnsSigningKey(p8), keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', issuedAt: 1_700_000_000 });
  assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', kid: 'ABC123DEFG' });
  const { payload } = await jwtVerify(jwt, publicKey, { algorithms: ['ES256'] });
  assert.deepEqual(payload, { iss: 'DEF123GHIJ', iat: 1_700_000_000 });
  // RFC 7518 §3.4: R || S, 64 bytes, not DER.
  assert.equal(Buffer.from(jwt.split('.')[2]!, 'base64url').length, 64);
});

test('the .p8 must be a P-256 private key; the error does not quote it', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  assert.throws(() => apnsSigningKey(rsa), (e: unknown) => e instanceof InvalidApnsKeyError && e.reason === 'curve');
  assert.throws(
    () => apnsSigningKey('-----BEGIN PRIVATE KEY-----\nMIGHAgEAsecretsecret\n-----END PRIVATE KEY-----'),
    (e: unknown) => e instanceof InvalidApnsKeyError && e.reason === 'format' && !e.message.includes('secretsecret'),
  );
});

test('key and team ids are the 10-character ids of Apple developer accounts', () => {
  assert.equal(validateApnsId('key_id', 'ABC123DEFG'), 'ABC123DEFG');
  assert.throws(() => validateApnsId('team_id', 'abc123defg'), (e: unknown) => e instanceof InvalidApnsKeyError && e.reason === 'team_id');
  assert.throws(() => validateApnsId('key_id', 'ABC123DEF'), InvalidApnsKeyError);
});
