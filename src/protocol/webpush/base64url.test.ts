import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeBase64url, encodeBase64url } from './base64url.ts';
import { InvalidBase64urlError } from './errors.ts';

describe('base64url (RFC 4648 §5)', () => {
  it('round-trips bytes without padding', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = randomBytes(length);
      const text = encodeBase64url(bytes);
      assert.doesNotMatch(text, /[=+/]/);
      assert.deepEqual(decodeBase64url(text), bytes);
    }
  });

  it('encodes a view of a larger buffer without its neighbours', () => {
    const whole = Buffer.from([1, 2, 3, 4, 5]);
    assert.equal(encodeBase64url(whole.subarray(1, 3)), Buffer.from([2, 3]).toString('base64url'));
  });

  it('accepts correct padding', () => {
    assert.deepEqual(decodeBase64url('YQ=='), Buffer.from('a'));
    assert.deepEqual(decodeBase64url('YWI='), Buffer.from('ab'));
    assert.deepEqual(decodeBase64url('YWJj'), Buffer.from('abc'));
  });

  it('refuses characters outside the alphabet, bad padding and impossible lengths', () => {
    for (const text of ['YW+j', 'YW/j', 'YW j', 'YW\nj', 'YQ=', 'YQ===', 'Y=Q=', 'YWJj=', 'Y', 'YWJjZ', 'é']) {
      assert.throws(() => decodeBase64url(text), (error: unknown) => {
        assert.ok(error instanceof InvalidBase64urlError, JSON.stringify(text));
        assert.equal(error.code, 'webpush.invalid_base64url');
        return true;
      });
    }
  });

  it('refuses non-canonical pad bits (RFC 4648 §3.5)', () => {
    assert.throws(() => decodeBase64url('YR'), InvalidBase64urlError);
    assert.throws(() => decodeBase64url('YWJ'), InvalidBase64urlError);
  });
});
