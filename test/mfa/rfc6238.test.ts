import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import { base32, fromBase32, hotp, matchingStep, otpauthUri, timeStep, totpAt } from '../../src/mfa/rfc6238.ts';

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890", 8 digits.
const SEED = Buffer.from('12345678901234567890', 'ascii');
const APPENDIX_B: [number, string][] = [
  [59, '94287082'],
  [1_111_111_109, '07081804'],
  [1_111_111_111, '14050471'],
  [1_234_567_890, '89005924'],
  [2_000_000_000, '69279037'],
  [20_000_000_000, '65353130'],
];

test('TOTP matches the SHA-1 test vectors of RFC 6238 Appendix B', () => {
  for (const [t, code] of APPENDIX_B) assert.equal(totpAt(SEED, t * 1000, 8), code, `T = ${t}`);
});

test('HOTP matches RFC 4226 Appendix D', () => {
  const d = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  d.forEach((code, counter) => assert.equal(hotp(SEED, counter), code, `counter ${counter}`));
});

test('codes agree with an independent implementation (otpauth) over many secrets and times', () => {
  for (let i = 0; i < 200; i++) {
    const secret = new OTPAuth.Secret({ size: 20 });
    const t = Math.floor(Math.random() * 4_000_000_000_000);
    const ours = totpAt(Buffer.from(secret.bytes), t);
    const theirs = new OTPAuth.TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret }).generate({ timestamp: t });
    assert.equal(ours, theirs, `secret ${secret.base32} at ${t}`);
    assert.deepEqual(fromBase32(secret.base32), Buffer.from(secret.bytes));
    assert.equal(base32(Buffer.from(secret.bytes)), secret.base32);
  }
});

test('one step either side is accepted, two are not; the step is the code’s, not now’s', () => {
  const t = 1_700_000_000_000;
  const now = timeStep(t);
  assert.equal(matchingStep(SEED, hotp(SEED, now - 1), t), now - 1);
  assert.equal(matchingStep(SEED, hotp(SEED, now), t), now);
  assert.equal(matchingStep(SEED, hotp(SEED, now + 1), t), now + 1);
  assert.equal(matchingStep(SEED, hotp(SEED, now - 2), t), undefined);
  assert.equal(matchingStep(SEED, hotp(SEED, now + 2), t), undefined);
  assert.equal(matchingStep(SEED, '12345', t), undefined);
  assert.equal(matchingStep(SEED, 'abcdef', t), undefined);
});

test('the otpauth URI is read back by otpauth with the same parameters', () => {
  const secret = base32(Buffer.from('a secret of twenty b'));
  const parsed = OTPAuth.URI.parse(otpauthUri(secret, 'Example Bank', 'ana@example.org')) as OTPAuth.TOTP;
  assert.deepEqual([parsed.issuer, parsed.label, parsed.algorithm, parsed.digits, parsed.period, parsed.secret.base32], ['Example Bank', 'ana@example.org', 'SHA1', 6, 30, secret]);
});
