import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, SCRYPT, verifyPassword } from './password.ts';

test('a password verifies against its own hash and no other', async () => {
  const stored = await hashPassword('correct horse battery staple');
  assert.equal(await verifyPassword('correct horse battery staple', stored), true);
  assert.equal(await verifyPassword('correct horse battery stapl', stored), false);
  assert.equal(await verifyPassword('', stored), false);
});

test('the hash names its parameters and a fresh salt, so two hashes of one password differ', async () => {
  const a = await hashPassword('same password here');
  const b = await hashPassword('same password here');
  assert.notEqual(a, b);
  const [scheme, n, r, p, salt, key] = a.split('$');
  assert.deepEqual([scheme, Number(n), Number(r), Number(p)], ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p]);
  assert.equal(Buffer.from(salt!, 'base64url').length, SCRYPT.saltLength);
  assert.equal(Buffer.from(key!, 'base64url').length, SCRYPT.keyLength);
  assert.doesNotMatch(a, /same password/);
});

test('a hash made with other parameters still verifies: they are read from the hash', async () => {
  const stored = await hashPassword('parameters travel');
  const [, , , , salt] = stored.split('$');
  // Recompute with N = 2^14 by hand, as an older installation would have stored it.
  const { scryptSync } = await import('node:crypto');
  const key = scryptSync('parameters travel', Buffer.from(salt!, 'base64url'), 32, { N: 16_384, r: 8, p: 1 });
  const older = ['scrypt', 16_384, 8, 1, salt, key.toString('base64url')].join('$');
  assert.equal(await verifyPassword('parameters travel', older), true);
  assert.equal(await verifyPassword('parameters travel', 'plain-text'), false);
});

test('passwords are compared after Unicode normalisation (NFC), as typed on any keyboard', async () => {
  const stored = await hashPassword('mot de passe d\u00e9j\u00e0 vu');
  assert.equal(await verifyPassword('mot de passe de\u0301ja\u0300 vu', stored), true);
});
