import assert from 'node:assert/strict';
import { createECDH, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { importJWK, jwtVerify } from 'jose';
import webpush from 'web-push';
import { VapidAudienceError, VapidKeyError, VapidSubjectError, VapidTokenError, type VapidTokenReason } from './errors.ts';
import {
  MAX_VAPID_EXPIRY_SECONDS,
  generateVapidKeys,
  parseVapidAuthorization,
  signVapidToken,
  validateVapidSubject,
  vapidAudience,
  vapidAuthorization,
  vapidSigningKey,
  verifyVapidAuthorization,
} from './vapid.ts';

const NOW = 1_700_000_000;
const AUDIENCE = 'https://push.example.net';
const keys = generateVapidKeys();
const key = vapidSigningKey(keys.publicKey, keys.privateKey);

function token(overrides: Partial<{ audience: string; expiresAt: number; subject: string }> = {}): string {
  return signVapidToken({
    audience: AUDIENCE,
    subject: 'mailto:ops@example.com',
    expiresAt: NOW + 3600,
    key,
    ...overrides,
  });
}

function refuses(header: string, reason: VapidTokenReason, options: { now?: number; expectedPublicKey?: string; audience?: string } = {}) {
  assert.throws(
    () => verifyVapidAuthorization(header, { audience: AUDIENCE, now: NOW, ...options }),
    (error: unknown) => {
      assert.ok(error instanceof VapidTokenError, String(error));
      assert.equal(error.code, 'vapid.invalid_token');
      assert.equal(error.reason, reason);
      return true;
    },
  );
}

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('VAPID keys', () => {
  it('generates a 65-byte public key and a 32-byte private key', () => {
    for (let n = 0; n < 50; n++) {
      const pair = generateVapidKeys();
      assert.equal(Buffer.from(pair.publicKey, 'base64url').length, 65);
      assert.equal(Buffer.from(pair.privateKey, 'base64url').length, 32);
      assert.equal(Buffer.from(pair.publicKey, 'base64url')[0], 0x04);
    }
  });

  it('refuses halves of different pairs', () => {
    const other = generateVapidKeys();
    assert.throws(() => vapidSigningKey(keys.publicKey, other.privateKey), (error: unknown) => {
      assert.ok(error instanceof VapidKeyError);
      assert.equal(error.code, 'vapid.invalid_key');
      assert.equal(error.reason, 'mismatch');
      return true;
    });
    assert.throws(() => vapidSigningKey(keys.publicKey, 'AAAA'), VapidKeyError);
    assert.throws(() => vapidSigningKey('not base64url!', keys.privateKey), VapidKeyError);
  });
});

describe('signVapidToken', () => {
  it('produces an ES256 JWT that jose verifies', async () => {
    const raw = Buffer.from(keys.publicKey, 'base64url');
    const publicKey = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: raw.subarray(1, 33).toString('base64url'),
        y: raw.subarray(33).toString('base64url'),
      },
      'ES256',
    );
    const { payload, protectedHeader } = await jwtVerify(token(), publicKey, {
      audience: AUDIENCE,
      currentDate: new Date(NOW * 1000),
      algorithms: ['ES256'],
    });
    assert.deepEqual(protectedHeader, { typ: 'JWT', alg: 'ES256' });
    assert.deepEqual(payload, { aud: AUDIENCE, exp: NOW + 3600, sub: 'mailto:ops@example.com' });
  });

  it('uses a raw 64-byte R||S signature (RFC 7518 §3.4)', () => {
    const signature = Buffer.from(token().split('.')[2]!, 'base64url');
    assert.equal(signature.length, 64);
  });

  it('takes the audience as an origin only', () => {
    assert.equal(vapidAudience('https://push.example.net:8443/wpush/v2/abc?x=1'), 'https://push.example.net:8443');
    assert.throws(() => token({ audience: 'https://push.example.net/wpush/v2/abc' }), VapidAudienceError);
    assert.throws(() => token({ audience: 'push.example.net' }), VapidAudienceError);
  });

  it('formats the Authorization header (RFC 8292 §3)', () => {
    const t = token();
    assert.equal(vapidAuthorization(t, keys.publicKey), `vapid t=${t}, k=${keys.publicKey}`);
    assert.deepEqual(parseVapidAuthorization(`Vapid  k="${keys.publicKey}" ,t=${t}`), { token: t, publicKey: keys.publicKey });
  });
});

describe('verifyVapidAuthorization', () => {
  it('accepts its own tokens', () => {
    const result = verifyVapidAuthorization(vapidAuthorization(token(), keys.publicKey), {
      audience: AUDIENCE,
      now: NOW,
      expectedPublicKey: keys.publicKey,
    });
    assert.equal(result.publicKey, keys.publicKey);
    assert.deepEqual(result.claims, { aud: AUDIENCE, exp: NOW + 3600, sub: 'mailto:ops@example.com' });
  });

  it("accepts web-push's getVapidHeaders token", () => {
    const pair = webpush.generateVAPIDKeys();
    const now = Math.floor(Date.now() / 1000);
    const headers = webpush.getVapidHeaders(AUDIENCE, 'https://example.com/contact', pair.publicKey, pair.privateKey, 'aes128gcm', now + 3600);
    const result = verifyVapidAuthorization(headers.Authorization, { audience: AUDIENCE, now });
    assert.equal(result.publicKey, pair.publicKey);
    assert.equal(result.claims.sub, 'https://example.com/contact');
  });

  it('refuses a token for another push service', () => {
    refuses(vapidAuthorization(token({ audience: 'https://fcm.googleapis.com' }), keys.publicKey), 'audience');
  });

  it('refuses an expired token', () => {
    const header = vapidAuthorization(token(), keys.publicKey);
    refuses(header, 'expired', { now: NOW + 3600 });
    refuses(header, 'expired', { now: NOW + 7200 });
  });

  it('refuses exp more than 24 hours ahead (RFC 8292 §2)', () => {
    refuses(vapidAuthorization(token({ expiresAt: NOW + MAX_VAPID_EXPIRY_SECONDS + 1 }), keys.publicKey), 'expiry_too_far');
    verifyVapidAuthorization(vapidAuthorization(token({ expiresAt: NOW + MAX_VAPID_EXPIRY_SECONDS }), keys.publicKey), {
      audience: AUDIENCE,
      now: NOW,
    });
  });

  it('refuses a key other than the subscription key (RFC 8292 §4.2)', () => {
    refuses(vapidAuthorization(token(), keys.publicKey), 'key_mismatch', { expectedPublicKey: generateVapidKeys().publicKey });
  });

  it('refuses bad signatures', () => {
    const t = token();
    const [header, claims, signature] = t.split('.') as [string, string, string];
    const otherKey = generateVapidKeys().publicKey;
    refuses(vapidAuthorization(t, otherKey), 'signature');
    const forged = b64({ aud: AUDIENCE, exp: NOW + 3600, sub: 'mailto:attacker@example.com' });
    refuses(vapidAuthorization(`${header}.${forged}.${signature}`, keys.publicKey), 'signature');
    const flipped = Buffer.from(signature, 'base64url');
    flipped[10] = flipped[10]! ^ 1;
    refuses(vapidAuthorization(`${header}.${claims}.${flipped.toString('base64url')}`, keys.publicKey), 'signature');
    // A DER signature (what a plain sign() returns) is not a JWS ES256 signature.
    const der = sign('sha256', Buffer.from(`${header}.${claims}`), key).toString('base64url');
    refuses(vapidAuthorization(`${header}.${claims}.${der}`, keys.publicKey), 'signature');
  });

  it('refuses malformed headers', () => {
    const t = token();
    refuses(`Bearer ${t}`, 'format');
    refuses(`WebPush ${t}`, 'format');
    refuses(`vapid t=${t}`, 'format');
    refuses(`vapid k=${keys.publicKey}`, 'format');
    refuses(`vapid t=abc.def, k=${keys.publicKey}`, 'format');
    refuses(`vapid t=${t}.x, k=${keys.publicKey}`, 'format');
    refuses(`vapid t=${b64({ alg: 'ES256' })}.${b64('[1]')}.AA, k=${keys.publicKey}`, 'format');
  });

  it('refuses alg none and other algorithms', () => {
    const claims = b64({ aud: AUDIENCE, exp: NOW + 60 });
    refuses(vapidAuthorization(`${b64({ alg: 'none' })}.${claims}.`, keys.publicKey), 'algorithm');
    refuses(vapidAuthorization(`${b64({ alg: 'HS256' })}.${claims}.AAAA`, keys.publicKey), 'algorithm');
  });

  it('a header verified once is held again to its expiry, its audience and the subscription key', () => {
    const header = vapidAuthorization(token(), keys.publicKey);
    verifyVapidAuthorization(header, { audience: AUDIENCE, now: NOW, expectedPublicKey: keys.publicKey });
    assert.equal(verifyVapidAuthorization(header, { audience: AUDIENCE, now: NOW + 3599 }).claims.exp, NOW + 3600);
    refuses(header, 'expired', { now: NOW + 3600 });
    refuses(header, 'expiry_too_far', { now: NOW + 3600 - MAX_VAPID_EXPIRY_SECONDS - 1 });
    refuses(header, 'key_mismatch', { expectedPublicKey: generateVapidKeys().publicKey });
    refuses(header, 'audience', { audience: 'https://fcm.googleapis.com' });
  });

  it('refuses a k that is not a P-256 point', () => {
    const offCurve = Buffer.from(keys.publicKey, 'base64url');
    offCurve[64] = offCurve[64]! ^ 1;
    refuses(vapidAuthorization(token(), offCurve.toString('base64url')), 'key');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    refuses(vapidAuthorization(token(), ecdh.getPublicKey('base64url', 'compressed')), 'key');
  });
});

describe('validateVapidSubject', () => {
  it('accepts mailto: addresses and https: URLs', () => {
    for (const subject of ['mailto:ops@example.com', 'mailto:push+alerts@city.example.org', 'https://example.com/contact', 'https://example.com']) {
      assert.equal(validateVapidSubject(subject), subject);
    }
  });

  it('refuses local hosts, which Apple answers with 403 BadJwtToken', () => {
    for (const subject of [
      'mailto:x@localhost',
      'mailto:x@LOCALHOST.',
      'mailto:x@app.localhost',
      'mailto:x@127.0.0.1',
      'mailto:x@[127.0.0.1]',
      'mailto:x@[IPv6:::1]',
      'https://localhost',
      'https://localhost:8443/contact',
      'https://127.0.0.1',
      'https://127.1.2.3/',
      'https://[::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://dev.localhost',
    ]) {
      assert.throws(() => validateVapidSubject(subject), (error: unknown) => {
        assert.ok(error instanceof VapidSubjectError, subject);
        assert.equal(error.code, 'vapid.invalid_subject');
        assert.equal(error.reason, 'localhost', subject);
        return true;
      });
    }
  });

  it('refuses other schemes and missing addresses', () => {
    const cases: Array<[string, string]> = [
      ['http://example.com', 'scheme'],
      ['ops@example.com', 'scheme'],
      ['', 'scheme'],
      ['mailto:', 'format'],
      ['mailto:ops', 'format'],
      ['mailto:@example.com', 'format'],
      ['https://', 'format'],
    ];
    for (const [subject, reason] of cases) {
      assert.throws(() => validateVapidSubject(subject), (error: unknown) => {
        assert.ok(error instanceof VapidSubjectError, subject);
        assert.equal(error.reason, reason, subject);
        return true;
      });
    }
  });
});
