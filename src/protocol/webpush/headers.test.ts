import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidTopicError, InvalidTtlError, InvalidUrgencyError } from './errors.ts';
import { MAX_TTL_SECONDS, URGENCIES, isUrgency, parseTtlHeader, validateTopic, validateTtl, validateUrgency } from './headers.ts';

describe('validateTopic (RFC 8030 §5.4)', () => {
  it('accepts up to 32 base64url characters', () => {
    assert.equal(validateTopic('a'), 'a');
    assert.equal(validateTopic('order-1234_status'), 'order-1234_status');
    const max = 'A'.repeat(32);
    assert.equal(validateTopic(max), max);
  });

  it('refuses 33 characters, characters outside the alphabet and the empty string', () => {
    for (const topic of ['A'.repeat(33), 'a+b', 'a/b', 'abc=', 'a b', 'é', '']) {
      assert.throws(() => validateTopic(topic), (error: unknown) => {
        assert.ok(error instanceof InvalidTopicError, topic);
        assert.equal(error.code, 'webpush.invalid_topic');
        return true;
      });
    }
  });
});

describe('urgency (RFC 8030 §5.3)', () => {
  it('lists the four levels from lowest to highest', () => {
    assert.deepEqual([...URGENCIES], ['very-low', 'low', 'normal', 'high']);
  });

  it('accepts only those levels', () => {
    for (const urgency of URGENCIES) assert.equal(validateUrgency(urgency), urgency);
    for (const value of ['High', 'urgent', '', 'very low']) {
      assert.equal(isUrgency(value), false);
      assert.throws(() => validateUrgency(value), InvalidUrgencyError);
    }
  });
});

describe('TTL (RFC 8030 §5.2)', () => {
  it('accepts non-negative integer seconds', () => {
    assert.equal(validateTtl(0), 0);
    assert.equal(validateTtl(2_419_200), 2_419_200);
    assert.equal(validateTtl(MAX_TTL_SECONDS), MAX_TTL_SECONDS);
  });

  it('refuses negative, fractional and non-finite values', () => {
    for (const ttl of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_TTL_SECONDS + 1]) {
      assert.throws(() => validateTtl(ttl), (error: unknown) => {
        assert.ok(error instanceof InvalidTtlError);
        assert.equal(error.code, 'webpush.invalid_ttl');
        return true;
      });
    }
  });

  it('parses header values as delta-seconds, capping at 2^31 (RFC 9111 §1.2.2)', () => {
    assert.equal(parseTtlHeader('60'), 60);
    assert.equal(parseTtlHeader(' 0 '), 0);
    assert.equal(parseTtlHeader('99999999999999'), MAX_TTL_SECONDS);
    for (const value of ['', '-1', '1.5', '1e3', 'sixty', '0x10']) {
      assert.throws(() => parseTtlHeader(value), InvalidTtlError, value);
    }
  });
});
