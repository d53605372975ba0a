import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupChain, pickLanguage } from './pick-language.ts';

const VERSIONS = ['en', 'fr', 'fr-CA', 'zh-Hant', 'de-CH-1996'];

test('a user gets the exact version, then the one with the last subtag cut off, then the default', () => {
  assert.equal(pickLanguage('fr-CA', VERSIONS, 'en'), 'fr-CA');
  assert.equal(pickLanguage('fr-BE', VERSIONS, 'en'), 'fr');
  assert.equal(pickLanguage('fr', VERSIONS, 'en'), 'fr');
  assert.equal(pickLanguage('de-CH', VERSIONS, 'en'), 'en');
  assert.equal(pickLanguage('de-CH-1996', VERSIONS, 'en'), 'de-CH-1996');
  assert.equal(pickLanguage('zh-Hant-TW', VERSIONS, 'en'), 'zh-Hant');
  assert.equal(pickLanguage('es-MX', VERSIONS, 'en'), 'en');
});

test('tags compare without regard to case, and the answer is spelled as the version is', () => {
  assert.equal(pickLanguage('FR-ca', VERSIONS, 'en'), 'fr-CA');
  assert.equal(pickLanguage('ZH-hant-tw', VERSIONS, 'en'), 'zh-Hant');
});

test('lookup never widens: a user who says fr does not get fr-CA when there is no fr', () => {
  assert.equal(pickLanguage('fr', ['en', 'fr-CA'], 'en'), 'en');
});

test('a user without a language, or with an empty one, gets the default', () => {
  assert.equal(pickLanguage(null, VERSIONS, 'fr'), 'fr');
  assert.equal(pickLanguage(undefined, VERSIONS, 'fr'), 'fr');
  assert.equal(pickLanguage('', VERSIONS, 'fr'), 'fr');
});

test('a singleton left at the end is cut with the subtag after it (RFC 4647 §3.4 example)', () => {
  // The RFC's own example: zh-Hant-CN-x-private1-private2 falls back through these.
  assert.deepEqual(lookupChain('zh-Hant-CN-x-private1-private2'), ['zh-hant-cn-x-private1-private2', 'zh-hant-cn-x-private1', 'zh-hant-cn', 'zh-hant', 'zh']);
  assert.equal(pickLanguage('fr-CA-u-ca-gregory', VERSIONS, 'en'), 'fr-CA');
});

test('a prefix matches at subtag boundaries only: fra is not fr', () => {
  assert.equal(pickLanguage('fra', VERSIONS, 'en'), 'en');
  assert.equal(pickLanguage('frr-DE', VERSIONS, 'en'), 'en');
});
