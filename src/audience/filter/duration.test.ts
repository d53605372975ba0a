import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from './duration.ts';
import { languageEquals, languageStartsWith } from './language.ts';

test('durations: a whole number and m, h, d or w; nothing else', () => {
  assert.equal(parseDuration('30m'), 30 * 60_000);
  assert.equal(parseDuration('12h'), 12 * 3_600_000);
  assert.equal(parseDuration('7d'), 7 * 86_400_000);
  assert.equal(parseDuration('2w'), 14 * 86_400_000);
  assert.equal(parseDuration('3650d'), 3650 * 86_400_000);
  for (const bad of ['0d', '07d', '7', 'd', '7D', ' 7d', '7d ', '1.5h', '-1d', '7s', '3651d', '522w', 7, null, '1e3d']) {
    assert.equal(parseDuration(bad), undefined, String(bad));
  }
});

test('language prefixes match at subtag boundaries, in any case (RFC 4647 §3.3.1)', () => {
  assert.ok(languageStartsWith('fr-CA', 'fr'));
  assert.ok(languageStartsWith('FR', 'fr'));
  assert.ok(languageStartsWith('fr-Latn-CA', 'FR-latn'));
  assert.ok(!languageStartsWith('fra', 'fr'));
  assert.ok(!languageStartsWith('fr', 'fr-CA'));
  assert.ok(!languageStartsWith('fr-CAx', 'fr-CA'));
  assert.ok(languageEquals('zh-Hant-TW', 'ZH-hant-tw'));
});
