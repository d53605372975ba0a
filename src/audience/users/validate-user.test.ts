import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors/api-error.ts';
import { canonicalLanguage, ianaTimezone, isoCountry, rfc3339Time, validateUser } from './validate-user.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiError ? [err.code, (err.extra.errors as { pointer: string }[])[0]!.pointer] : String(err);
  }
  return 'accepted';
};

test('RFC 3339 §5.6 date-times: offsets, fractions, lower-case t and z, leap days; not other forms or impossible dates', () => {
  assert.equal(rfc3339Time('2026-01-02T03:04:05Z'), Date.UTC(2026, 0, 2, 3, 4, 5));
  assert.equal(rfc3339Time('2026-01-02T03:04:05.250+01:00'), Date.UTC(2026, 0, 2, 2, 4, 5, 250));
  assert.equal(rfc3339Time('2024-02-29t00:00:00z'), Date.UTC(2024, 1, 29));
  for (const s of ['2026-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01', '2026-01-01T00:00Z', '2026-01-01 00:00:00Z', '2026-01-01T00:00:00+25:00', '2026-01-01T00:00:00']) {
    assert.equal(rfc3339Time(s), undefined, s);
  }
});

test('languages: canonical BCP 47, ill-formed tags refused', () => {
  assert.equal(canonicalLanguage('en-us'), 'en-US');
  assert.equal(canonicalLanguage('SR-latn-rs'), 'sr-Latn-RS');
  for (const tag of ['en_US', 'e', 'en-', '12', 'x-private', '']) assert.deepEqual(codeOf(() => canonicalLanguage(tag)), ['invalid_language', '#/language'], tag);
});

test('time zones: names the runtime knows, aliases kept as sent, case fixed; offsets and unknown names refused', () => {
  assert.equal(ianaTimezone('Asia/Kolkata'), 'Asia/Kolkata');
  assert.equal(ianaTimezone('Asia/Calcutta'), 'Asia/Calcutta');
  assert.equal(ianaTimezone('europe/paris'), 'Europe/Paris');
  assert.equal(ianaTimezone('UTC'), 'UTC');
  for (const tz of ['+05:30', 'GMT+5', 'Europe/Nowhere', '../etc/passwd', 'Europe/Paris ', '']) assert.deepEqual(codeOf(() => ianaTimezone(tz)), ['invalid_timezone', '#/timezone'], tz);
});

test('countries: two ASCII letters, upper-cased; nothing else is converted', () => {
  assert.equal(isoCountry('fr'), 'FR');
  assert.equal(isoCountry('Gb'), 'GB');
  for (const c of ['FRA', '250', 'F', 'F1', 'ÉS', ' FR', '']) assert.deepEqual(codeOf(() => isoCountry(c)), ['invalid_country', '#/country'], c);
});

test('attributes: typed; keys checked and escaped in the pointer; the first broken rule is the one answered', () => {
  const patch = validateUser({ attributes: { a: 'x', n: 1.5, b: false, t: '2026-01-01T00:00:00Z', gone: null } });
  assert.deepEqual(
    [...patch.attributes].map(([k, v]) => [k, v?.type ?? null, v?.num ?? null]),
    [['a', 'string', null], ['n', 'number', 1.5], ['b', 'boolean', 0], ['t', 'time', Date.UTC(2026, 0, 1)], ['gone', null, null]],
  );
  assert.deepEqual(codeOf(() => validateUser({ attributes: { 'a~b': 1 } })), ['invalid_attribute', '#/attributes/a~0b']);
  assert.deepEqual(codeOf(() => validateUser({ attributes: { ok: 'nul\u0000' } })), ['invalid_attribute', '#/attributes/ok']);
  assert.deepEqual(codeOf(() => validateUser({ attributes: { timezone: 'UTC' } })), ['invalid_attribute', '#/attributes/timezone']);
});
