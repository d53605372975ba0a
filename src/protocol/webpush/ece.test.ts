import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createECDH, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import webpush from 'web-push';
import {
  CEK_INFO,
  MAX_BODY_BYTES,
  MAX_PLAINTEXT_BYTES,
  NONCE_INFO,
  decryptAes128gcm,
  decryptWebPush,
  deriveContentKeys,
  deriveWebPushIkm,
  encryptAes128gcm,
  encryptWebPush,
  encryptedBodyLength,
  maxPlaintextBytes,
  parseAuthSecret,
  parseP256PublicKey,
} from './ece.ts';
import { DecryptError, InvalidAuthSecretError, InvalidKeyError, PayloadTooLargeError } from './errors.ts';

const require = createRequire(import.meta.url);
const httpEce = require('http_ece') as {
  decrypt(body: Buffer, params: Record<string, unknown>): Buffer;
};

/** The repository root is the nearest folder above this file holding package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test file');
    dir = parent;
  }
  return dir;
}

const vectors = JSON.parse(
  readFileSync(resolve(repoRoot(), '../shared/vectors/ece-rfc8291-rfc8188.json'), 'utf8'),
);
const b = (text: string) => Buffer.from(text, 'base64url');
const b64 = (bytes: Buffer) => bytes.toString('base64url');

function userAgent() {
  const ecdh = createECDH('prime256v1');
  const uaPublic = ecdh.generateKeys();
  const uaPrivate = ecdh.getPrivateKey();
  return { ecdh, uaPublic, uaPrivate, authSecret: randomBytes(16) };
}

function rejectsWith<T extends Error>(fn: () => unknown, type: new (...args: never[]) => T, check: Partial<T>) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    for (const [key, value] of Object.entries(check)) {
      assert.equal((error as unknown as Record<string, unknown>)[key], value);
    }
    return true;
  });
}

describe('RFC 8291 §5 and Appendix A', () => {
  const v = vectors.rfc8291;
  const i = v.inputs;

  it('reproduces every intermediate value', () => {
    const ecdhSecret = createECDH('prime256v1');
    ecdhSecret.setPrivateKey(b(i.as_private));
    const secret = ecdhSecret.computeSecret(b(i.ua_public));
    assert.equal(b64(secret), v.intermediate.ecdh_secret);

    const schedule = deriveWebPushIkm({
      ecdhSecret: secret,
      authSecret: b(i.auth_secret),
      uaPublic: b(i.ua_public),
      asPublic: b(i.as_public),
    });
    assert.equal(b64(schedule.prkKey), v.intermediate.prk_key);
    assert.equal(b64(schedule.keyInfo), v.intermediate.key_info);
    assert.equal(b64(schedule.ikm), v.intermediate.ikm);

    const keys = deriveContentKeys(schedule.ikm, b(i.salt));
    assert.equal(b64(keys.prk), v.intermediate.prk);
    assert.equal(b64(CEK_INFO), v.intermediate.cek_info);
    assert.equal(b64(keys.cek), v.intermediate.cek);
    assert.equal(b64(NONCE_INFO), v.intermediate.nonce_info);
    assert.equal(b64(keys.nonce), v.intermediate.nonce);
  });

  it('encrypts to the exact body, header and ciphertext', () => {
    const body = encryptWebPush({
      plaintext: b(i.plaintext_b64url),
      uaPublic: b(i.ua_public),
      authSecret: b(i.auth_secret),
      senderKeys: { publicKey: b(i.as_public), privateKey: b(i.as_private) },
      salt: b(i.salt),
      recordSize: i.rs,
    });
    assert.equal(body.length, v.output.body_octets);
    assert.equal(b64(body.subarray(0, 86)), v.output.header);
    assert.equal(b64(body.subarray(86)), v.output.ciphertext);
    assert.equal(b64(body), v.output.body);
  });

  it('decrypts the RFC body as the user agent', () => {
    const plaintext = decryptWebPush({
      body: b(v.output.body),
      uaPrivate: b(i.ua_private),
      uaPublic: b(i.ua_public),
      authSecret: b(i.auth_secret),
    });
    assert.equal(plaintext.toString('utf8'), i.plaintext_utf8);
  });

  it('refuses sender keys that do not belong together', () => {
    rejectsWith(
      () =>
        encryptWebPush({
          plaintext: Buffer.from('x'),
          uaPublic: b(i.ua_public),
          authSecret: b(i.auth_secret),
          senderKeys: { publicKey: b(i.ua_public), privateKey: b(i.as_private) },
        }),
      InvalidKeyError,
      { reason: 'mismatch', code: 'webpush.invalid_key' },
    );
  });
});

describe('RFC 8188 §3.1 (single record)', () => {
  const v = vectors.rfc8188.example_3_1;

  it('derives PRK, CEK and nonce', () => {
    const keys = deriveContentKeys(b(v.ikm), b(v.salt));
    assert.equal(b64(keys.prk), v.prk);
    assert.equal(b64(keys.cek), v.cek);
    assert.equal(b64(keys.nonce), v.nonce);
  });

  it('encrypts and decrypts byte for byte', () => {
    const body = encryptAes128gcm({
      plaintext: Buffer.from(v.plaintext_utf8),
      ikm: b(v.ikm),
      salt: b(v.salt),
      recordSize: v.rs,
    });
    assert.equal(body.length, v.body_octets);
    assert.equal(b64(body), v.body);
    assert.equal(decryptAes128gcm({ body: b(v.body), ikm: b(v.ikm) }).toString(), v.plaintext_utf8);
  });
});

describe('RFC 8188 §3.2 (multiple records, keyid)', () => {
  const v = vectors.rfc8188.example_3_2;

  it('decrypts to the plaintext', () => {
    assert.equal(decryptAes128gcm({ body: b(v.body), ikm: b(v.ikm) }).toString(), v.plaintext_utf8);
  });

  it('has the documented records, delimiters and padding', () => {
    const body = b(v.body);
    assert.equal(body.readUInt32BE(16), v.rs);
    assert.equal(body.subarray(21, 21 + body[20]!).toString(), v.keyid_utf8);
    const keys = deriveContentKeys(b(v.ikm), b(v.salt));
    const records = body.subarray(21 + body[20]!);
    v.records_plaintext_with_padding_hex.forEach((expected: string, seq: number) => {
      const record = records.subarray(seq * v.rs, (seq + 1) * v.rs);
      const nonce = Buffer.from(keys.nonce);
      nonce[11] = nonce[11]! ^ seq;
      const decipher = createDecipheriv('aes-128-gcm', keys.cek, nonce);
      decipher.setAuthTag(record.subarray(record.length - 16));
      const plain = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
      assert.equal(plain.toString('hex'), expected);
    });
  });

  it('encrypts byte for byte with the same record layout', () => {
    const body = encryptAes128gcm({
      records: [{ data: Buffer.from('I am th'), padding: 1 }, { data: Buffer.from('e walrus') }],
      ikm: b(v.ikm),
      salt: b(v.salt),
      recordSize: v.rs,
      keyid: Buffer.from(v.keyid_utf8),
    });
    assert.equal(b64(body), v.body);
  });

  it('refuses a body whose final record was cut off', () => {
    const body = b(v.body);
    const truncated = body.subarray(0, 21 + 2 + v.rs);
    rejectsWith(() => decryptAes128gcm({ body: truncated, ikm: b(v.ikm) }), DecryptError, { reason: 'truncated' });
  });
});

describe('aes128gcm records', () => {
  it('splits long plaintexts over records and back', () => {
    const ikm = randomBytes(16);
    for (const length of [0, 1, 8, 9, 100, 1000]) {
      const plaintext = randomBytes(length);
      const body = encryptAes128gcm({ plaintext, ikm, recordSize: 25, keyid: Buffer.from('k'), padding: 0 });
      assert.deepEqual(decryptAes128gcm({ body, ikm }), plaintext);
    }
  });

  it('refuses a record with no delimiter', () => {
    const ikm = randomBytes(16);
    const salt = randomBytes(16);
    const keys = deriveContentKeys(ikm, salt);
    const cipher = createCipheriv('aes-128-gcm', keys.cek, keys.nonce);
    const sealed = Buffer.concat([cipher.update(Buffer.alloc(5)), cipher.final(), cipher.getAuthTag()]);
    const header = Buffer.concat([salt, Buffer.from([0, 0, 0x10, 0, 0])]);
    rejectsWith(() => decryptAes128gcm({ body: Buffer.concat([header, sealed]), ikm }), DecryptError, {
      reason: 'padding',
    });
  });

  it('refuses a record size below 18', () => {
    const body = Buffer.concat([randomBytes(16), Buffer.from([0, 0, 0, 17, 0]), randomBytes(20)]);
    rejectsWith(() => decryptAes128gcm({ body, ikm: randomBytes(16) }), DecryptError, { reason: 'record_size' });
  });
});

describe('Web Push sizes', () => {
  it('fits 3993 plaintext bytes in a 4096-byte body (RFC 8291 §4)', () => {
    assert.equal(MAX_BODY_BYTES, 4096);
    assert.equal(MAX_PLAINTEXT_BYTES, 3993);
    assert.equal(maxPlaintextBytes(), 3993);
    assert.equal(encryptedBodyLength(3993), 4096);
    assert.equal(encryptedBodyLength(0), 103);
    const ua = userAgent();
    const body = encryptWebPush({ plaintext: randomBytes(3993), uaPublic: ua.uaPublic, authSecret: ua.authSecret });
    assert.equal(body.length, 4096);
  });

  it('refuses a plaintext that would exceed 4096 bytes', () => {
    const ua = userAgent();
    rejectsWith(
      () => encryptWebPush({ plaintext: randomBytes(3994), uaPublic: ua.uaPublic, authSecret: ua.authSecret }),
      PayloadTooLargeError,
      { code: 'webpush.payload_too_large', size: 4097, limit: 4096 },
    );
  });

  it('pads, and counts the padding in the size', () => {
    const ua = userAgent();
    const body = encryptWebPush({ plaintext: Buffer.from('hi'), uaPublic: ua.uaPublic, authSecret: ua.authSecret, padding: 30 });
    assert.equal(body.length, encryptedBodyLength(2, 30));
    assert.equal(decryptWebPush({ body, ...ua }).toString(), 'hi');
    assert.equal(maxPlaintextBytes(MAX_BODY_BYTES, 30), 3963);
  });
});

describe('interoperability', () => {
  it('http_ece decrypts what Carillon encrypts', () => {
    for (const text of ['', 'hello', JSON.stringify({ web_push: 8030, notification: { title: '✓ Ünïcode 🎉' } }), 'x'.repeat(3993)]) {
      const ua = userAgent();
      const body = encryptWebPush({ plaintext: Buffer.from(text), uaPublic: ua.uaPublic, authSecret: ua.authSecret });
      const plaintext = httpEce.decrypt(body, {
        version: 'aes128gcm',
        privateKey: ua.ecdh,
        authSecret: b64(ua.authSecret),
      });
      assert.equal(plaintext.toString('utf8'), text);
    }
  });

  it('Carillon decrypts what web-push generateRequestDetails produces', () => {
    const ua = userAgent();
    const vapid = webpush.generateVAPIDKeys();
    const details = webpush.generateRequestDetails(
      { endpoint: 'https://push.example.net/wpush/v2/abc', keys: { p256dh: b64(ua.uaPublic), auth: b64(ua.authSecret) } },
      'notification body',
      { vapidDetails: { subject: 'mailto:ops@example.com', publicKey: vapid.publicKey, privateKey: vapid.privateKey } },
    );
    assert.equal(details.headers['Content-Encoding'], 'aes128gcm');
    const body = details.body as unknown as Buffer;
    assert.equal(decryptWebPush({ body, ...ua }).toString(), 'notification body');
  });

  it('Carillon decrypts what web-push encrypt produces', () => {
    for (let n = 0; n < 20; n++) {
      const ua = userAgent();
      const payload = randomBytes(n * 97);
      const result = webpush.encrypt(b64(ua.uaPublic), b64(ua.authSecret), payload, 'aes128gcm');
      assert.deepEqual(decryptWebPush({ body: result.cipherText, ...ua }), payload);
    }
  });

  it('round-trips through its own decryptor with fresh keys each time', () => {
    const ua = userAgent();
    const seen = new Set<string>();
    for (let n = 0; n < 50; n++) {
      const plaintext = randomBytes(n * 13);
      const body = encryptWebPush({ plaintext, uaPublic: ua.uaPublic, authSecret: ua.authSecret });
      seen.add(b64(body.subarray(21, 86)));
      assert.deepEqual(decryptWebPush({ body, ...ua }), plaintext);
    }
    assert.equal(seen.size, 50, 'each message uses a fresh sender key (RFC 8291 §3.1)');
  });
});

describe('rejections', () => {
  const ua = userAgent();
  const body = encryptWebPush({ plaintext: Buffer.from('secret'), uaPublic: ua.uaPublic, authSecret: ua.authSecret });

  it('refuses a tampered body', () => {
    for (const at of [0, 20, 90, body.length - 1]) {
      const tampered = Buffer.from(body);
      tampered[at] = tampered[at]! ^ 0x01;
      assert.throws(() => decryptWebPush({ body: tampered, ...ua }), DecryptError);
    }
    const tampered = Buffer.from(body);
    tampered[100] = tampered[100]! ^ 0x80;
    rejectsWith(() => decryptWebPush({ body: tampered, ...ua }), DecryptError, {
      code: 'webpush.decrypt_failed',
      reason: 'authentication',
    });
  });

  it('refuses the wrong auth secret', () => {
    rejectsWith(() => decryptWebPush({ body, ...ua, authSecret: randomBytes(16) }), DecryptError, {
      reason: 'authentication',
    });
  });

  it('refuses more than one record', () => {
    const changed = Buffer.from(body);
    changed.writeUInt32BE(18, 16);
    rejectsWith(() => decryptWebPush({ body: changed, ...ua }), DecryptError, { reason: 'record' });
  });

  it('refuses a keyid that is not a P-256 key', () => {
    const noKeyid = encryptAes128gcm({ plaintext: Buffer.from('x'), ikm: randomBytes(16) });
    rejectsWith(() => decryptWebPush({ body: noKeyid, ...ua }), DecryptError, { reason: 'keyid' });
    const offCurve = Buffer.from(body);
    offCurve[85] = offCurve[85]! ^ 0x01;
    rejectsWith(() => decryptWebPush({ body: offCurve, ...ua }), DecryptError, { reason: 'keyid' });
  });

  it('refuses a subscription key that is not on the curve', () => {
    const offCurve = Buffer.from(ua.uaPublic);
    offCurve[64] = offCurve[64]! ^ 0x01;
    rejectsWith(() => parseP256PublicKey(b64(offCurve)), InvalidKeyError, {
      code: 'webpush.invalid_key',
      reason: 'not_on_curve',
    });
    rejectsWith(
      () => encryptWebPush({ plaintext: Buffer.from('x'), uaPublic: offCurve, authSecret: ua.authSecret }),
      InvalidKeyError,
      { reason: 'not_on_curve' },
    );
  });

  it('parses only 65-byte uncompressed P-256 keys', () => {
    assert.deepEqual(parseP256PublicKey(b64(ua.uaPublic)), ua.uaPublic);
    const compressed = createECDH('prime256v1');
    compressed.generateKeys();
    rejectsWith(() => parseP256PublicKey(b64(compressed.getPublicKey(null, 'compressed'))), InvalidKeyError, {
      reason: 'length',
    });
    const wrongPrefix = Buffer.from(ua.uaPublic);
    wrongPrefix[0] = 0x05;
    rejectsWith(() => parseP256PublicKey(b64(wrongPrefix)), InvalidKeyError, { reason: 'format' });
    rejectsWith(() => parseP256PublicKey(b64(ua.uaPublic).replace(/^./, '+')), InvalidKeyError, {
      reason: 'encoding',
    });
  });

  it('refuses a 15-byte auth secret', () => {
    rejectsWith(() => parseAuthSecret(b64(randomBytes(15))), InvalidAuthSecretError, {
      code: 'webpush.invalid_auth_secret',
      reason: 'length',
    });
    rejectsWith(
      () => encryptWebPush({ plaintext: Buffer.from('x'), uaPublic: ua.uaPublic, authSecret: randomBytes(15) }),
      InvalidAuthSecretError,
      { reason: 'length' },
    );
    assert.equal(parseAuthSecret(b64(ua.authSecret)).length, 16);
    rejectsWith(() => parseAuthSecret('BTBZMqHH6r4Tts7J/aSIgg'), InvalidAuthSecretError, { reason: 'encoding' });
  });
});
