import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SecretBox, SecretUnavailableError } from './secret-box.ts';

test('seals and opens; the sealed form names the key and hides the secret', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('my-private-key', 'app:1:vapid');
  assert.ok(!sealed.includes('my-private-key'));
  assert.equal(sealed.split('.')[1], box.keyId);
  assert.equal(box.open(sealed, 'app:1:vapid'), 'my-private-key');
  assert.notEqual(box.seal('my-private-key', 'app:1:vapid'), sealed, 'a fresh IV each time');
});

test('a value moved to another context, or tampered with, does not open', () => {
  const box = new SecretBox(randomBytes(32));
  const sealed = box.seal('secret', 'app:1:vapid');
  assert.throws(() => box.open(sealed, 'app:2:vapid'));
  const parts = sealed.split('.');
  parts[3] = Buffer.from('xxxxxx').toString('base64url');
  assert.throws(() => box.open(parts.join('.'), 'app:1:vapid'));
});

test('after rotation, values sealed under the previous key still open', () => {
  const oldKey = randomBytes(32);
  const sealed = new SecretBox(oldKey).seal('secret', 'ctx');
  const rotated = new SecretBox(randomBytes(32), [oldKey]);
  assert.equal(rotated.open(sealed, 'ctx'), 'secret');
  assert.notEqual(rotated.seal('secret', 'ctx').split('.')[1], sealed.split('.')[1]);
  assert.throws(() => new SecretBox(randomBytes(32)).open(sealed, 'ctx'), /unknown master key/);
});

test('a MAC verifies only for its data, context and key, and survives rotation', () => {
  const oldKey = randomBytes(32);
  const box = new SecretBox(oldKey);
  const mac = box.mac('ntf_1.sub_1', 'delivery-ref');
  assert.match(mac, /^[A-Za-z0-9_-]{22}$/);
  assert.equal(box.verifyMac('ntf_1.sub_1', 'delivery-ref', mac), true);
  assert.equal(box.verifyMac('ntf_1.sub_2', 'delivery-ref', mac), false);
  assert.equal(box.verifyMac('ntf_1.sub_1', 'other', mac), false);
  assert.equal(box.verifyMac('ntf_1.sub_1', 'delivery-ref', mac.slice(0, -2)), false);
  assert.equal(new SecretBox(randomBytes(32)).verifyMac('ntf_1.sub_1', 'delivery-ref', mac), false);
  assert.equal(new SecretBox(randomBytes(32), [oldKey]).verifyMac('ntf_1.sub_1', 'delivery-ref', mac), true);
});

test('a value that cannot be opened throws a typed error saying why, naming the key it expects', () => {
  const box = new SecretBox(randomBytes(32));
  const other = new SecretBox(randomBytes(32));
  const sealed = other.seal('secret', 'ctx');
  assert.throws(
    () => box.open(sealed, 'ctx'),
    (err: unknown) => err instanceof SecretUnavailableError && err.reason === 'unknown_master_key' && err.keyId === other.keyId,
  );
  assert.throws(() => other.open(sealed, 'elsewhere'), (err: unknown) => err instanceof SecretUnavailableError && err.reason === 'tampered');
  assert.throws(() => box.open('nonsense', 'ctx'), (err: unknown) => err instanceof SecretUnavailableError && err.reason === 'malformed');
  assert.equal(box.holdsKeyOf(sealed), false);
  assert.equal(other.holdsKeyOf(sealed), true);
});
