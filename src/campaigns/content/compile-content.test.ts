import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../errors/api-error.ts';
import type { CampaignContent } from './campaign-content.ts';
import { compileContent } from './compile-content.ts';
import { ContentError } from './content-error.ts';
import { MAX_LANGUAGES } from './limits.ts';

function refusal(content: unknown, options: Parameters<typeof compileContent>[1] = {}, pointer?: string): ContentError {
  try {
    compileContent(content as CampaignContent, options, pointer);
  } catch (err) {
    assert.ok(err instanceof ContentError, `a ContentError, not ${String(err)}`);
    return err;
  }
  assert.fail('the content was accepted');
}

test('a syntax error is template_invalid (422) with the pointer to the field and the line and column in it', () => {
  const err = refusal({ en: { title: 'ok' }, fr: { title: 'Bonjour', body: 'Ligne un\nLigne deux {{ user.attributes.firstName ' } }, { defaultLanguage: 'en' });
  assert.equal(err.code, 'template_invalid');
  assert.equal(err.status, 422);
  assert.equal(err.pointer, '/content/fr/body');
  assert.deepEqual([err.line, err.column], [2, 12]);
  const problem = err.toProblem();
  assert.equal(problem.pointer, '#/content/fr/body');
  assert.equal(problem.line, 2);
  assert.equal(problem.column, 12);
  assert.match(String(problem.detail), /not closed/);
  assert.doesNotMatch(String(problem.detail), /line:\d/, 'the position is in its own members');
});

test('the pointer follows where the caller says the content is, and into actions', () => {
  const err = refusal({ en: { title: 'ok', actions: [{ action: 'a', title: 'ok' }, { action: 'b', title: '{% if %}' }] } }, {}, '/variants/1/content');
  assert.equal(err.pointer, '/variants/1/content/en/actions/1/title');
});

test('an unknown tag or filter is refused at save, not skipped at render', () => {
  assert.match(refusal({ en: { title: '{{ user.id | shout }}' } }).message, /undefined filter: shout/);
  assert.match(refusal({ en: { title: 'x {% bogus %}' } }).message, /tag "bogus" not found/);
});

test('variables must be user, event or app fields; a misspelt root or field is refused with its position', () => {
  const root = refusal({ en: { title: 'Hi\n  {{ usr.attributes.firstName }}' } });
  assert.match(root.message, /"usr", which is not in scope/);
  assert.deepEqual([root.line, root.column], [2, 6]);
  assert.match(refusal({ en: { title: '{{ user.firstName }}' } }).message, /user has no field "firstName".*user\.attributes\.name/);
  assert.match(refusal({ en: { title: '{{ event.sku }}' } }).message, /event has no field "sku"/);
  assert.match(refusal({ en: { title: '{{ app.supportUrl }}' } }).message, /app has no field "supportUrl"/);
  // Locals are not globals: assign, capture and loop variables are fine.
  compileContent({ en: { title: '{% assign n = user.attributes.firstName %}{% capture c %}{{ n }}{% endcapture %}{% for w in (1..2) %}{{ c }}{{ forloop.index }}{% endfor %}' } });
});

test('a URL field with no Liquid is checked at save: every recipient would get it', () => {
  const err = refusal({ en: { title: 'x', url: 'javascript:alert(1)' } });
  assert.equal(err.pointer, '/content/en/url');
  assert.match(err.message, /javascript: URL/);
  assert.equal(refusal({ en: { title: 'x', actions: [{ action: 'a', title: 'y', url: 'data:text/html,hi' }] } }).pointer, '/content/en/actions/0/url');
  compileContent({ en: { title: 'x', url: '/orders/1', icon: 'https://cdn.example/i.png' } });
});

test('languages are canonical BCP 47 tags; two keys for one language, and a default that is not a version, are refused', () => {
  const compiled = compileContent({ EN: { title: 'a' }, 'fr-ca': { title: 'b' } }, { defaultLanguage: 'en' });
  assert.deepEqual(compiled.languages, ['en', 'fr-CA']);
  assert.equal(compiled.defaultLanguage, 'en');
  const twin = refusal({ 'fr-ca': { title: 'a' }, 'fr-CA': { title: 'b' } }, { defaultLanguage: 'fr-CA' });
  assert.equal(twin.code, 'invalid_content_language');
  assert.equal(twin.status, 400);
  assert.equal(twin.pointer, '/content/fr-CA');
  const missing = refusal({ en: { title: 'a' }, fr: { title: 'b' } }, { defaultLanguage: 'de' });
  assert.equal(missing.code, 'invalid_content_language');
  assert.equal(missing.pointer, '/defaultLanguage');
  assert.equal(refusal({ en: { title: 'a' }, fr: { title: 'b' } }, { defaultLanguagePointer: '/settings/language' }).pointer, '/settings/language');
  // One version needs no default.
  assert.equal(compileContent({ de: { title: 'a' } }).defaultLanguage, 'de');
  // Well-formed by the schema's pattern but not by RFC 5646: a singleton with nothing after it.
  assert.equal(refusal({ 'en-a': { title: 'a' } }).code, 'invalid_content_language');
});

test('the schema holds too: more than the languages allowed, or a field MessageContent does not have, is invalid_request', () => {
  const many = Object.fromEntries(Array.from({ length: MAX_LANGUAGES + 1 }, (_, i) => [`x-${String(i).padStart(3, '0')}`, { title: 't' }]));
  assert.throws(() => compileContent(many as CampaignContent), (e: unknown) => e instanceof ApiError && e.code === 'invalid_request');
  assert.throws(
    () => compileContent({ en: { title: 'x', colour: 'red' } } as unknown as CampaignContent),
    (e: unknown) => e instanceof ApiError && e.code === 'invalid_request' && e.extra.pointer === '#/content/en/colour',
  );
});

test('a version carries its language as lang unless it sets one, and compiling leaves the input as it was', () => {
  const input: CampaignContent = { 'pt-BR': { title: 'Olá {{ user.id }}', data: { k: 'v' }, actions: [{ action: 'a', title: 'Ver' }] } };
  const before = structuredClone(input);
  const compiled = compileContent(input);
  assert.equal(compiled.versions.get('pt-BR')!.base.lang, 'pt-BR');
  assert.equal(compileContent({ en: { title: 'x', lang: 'en-GB' } }).versions.get('en')!.base.lang, 'en-GB');
  assert.deepEqual(input, before);
  assert.equal(Object.isFrozen(input['pt-BR']!.data), false);
});

test('renderKey paths: what the templates read, none covered by another', () => {
  const compiled = compileContent({ en: { title: '{{ user.attributes.firstName }} {{ user.attributes.firstName | upcase }}', body: '{{ user }} {{ event.properties[user.attributes.k] }}' } });
  assert.deepEqual(compiled.versions.get('en')!.keyPaths, [['event', 'properties'], ['user']]);
});

test('a literal field over its rendered limit is refused at save; a template is judged per recipient', () => {
  const err = refusal({ en: { title: 'x'.repeat(1500) } });
  assert.equal(err.pointer, '/content/en/title');
  assert.match(err.message, /title rendered 1500 characters; at most 1000 \(it holds no Liquid/);
  assert.equal(refusal({ en: { title: 'ok', actions: [{ action: 'a', title: 'y'.repeat(150) }] } }).pointer, '/content/en/actions/0/title');
  // The same length with Liquid in it may render shorter for some users: not refused.
  compileContent({ en: { title: `{% if user.attributes.long %}${'x'.repeat(1500)}{% endif %}ok` } });
});
