import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileContent } from './compile-content.ts';
import { ContentRenderer } from './content-renderer.ts';
import type { RenderContext } from './render-context.ts';

function user(firstName: string | undefined, language: string, n?: number): RenderContext {
  const attributes: Record<string, unknown> = {};
  if (firstName !== undefined) attributes.firstName = firstName;
  if (n !== undefined) attributes.n = n;
  return { user: { id: `u-${Math.random()}`, language, timezone: null, country: null, attributes }, app: { globals: {} } };
}

test('recipients whose rendering is the same share one render and one message object', () => {
  const compiled = compileContent({ en: { title: 'Hi {{ user.attributes.firstName | default: "there" }}' }, fr: { title: 'Salut {{ user.attributes.firstName }}' } }, { defaultLanguage: 'en' });
  const renderer = new ContentRenderer(compiled);
  const names = ['Ana', 'Bo', undefined, 'Ana', 'Bo', 'Ana', undefined];
  const results = names.flatMap((name) => [renderer.render(user(name, 'en')), renderer.render(user(name, 'fr-CA'))]);
  assert.deepEqual(
    results.map((r) => (r.ok ? r.content.title : r.detail)),
    names.flatMap((n) => [`Hi ${n ?? 'there'}`, `Salut ${n ?? ''}`]),
  );
  assert.equal(renderer.stats.recipients, 14);
  assert.equal(renderer.stats.renders, 6, 'three names by two versions');
  const ana = results.filter((r) => r.ok && r.content.title === 'Hi Ana');
  assert.equal(ana.length, 3);
  assert.ok(ana.every((r) => r.ok && ana[0]!.ok && r.content === ana[0]!.content), 'the same object, so the sender builds one payload');
});

test('the cache keeps at most maxEntries renderings, dropping the oldest', () => {
  const renderer = new ContentRenderer(compileContent({ en: { title: '{{ user.attributes.firstName }}' } }), { maxEntries: 2 });
  for (const name of ['a', 'b', 'c', 'a']) renderer.render(user(name, 'en'));
  assert.equal(renderer.stats.renders, 4, '"a" was dropped when "c" came');
  renderer.render(user('c', 'en'));
  assert.equal(renderer.stats.renders, 4);
});

test('a version cut by the limits a few times fails its later recipients at once', () => {
  // Data-driven, so the trial at save cannot see it: each user's own n sets the loop.
  const compiled = compileContent({ en: { title: 'x{% for i in (1..user.attributes.n) %}{{ i }}{% endfor %}' } });
  const renderer = new ContentRenderer(compiled, { maxLimitCuts: 2 });
  const results = [1, 2, 3, 4].map((k) => renderer.render(user(undefined, 'en', 10_000_000 + k)));
  assert.ok(results.every((r) => !r.ok && r.reason === 'render_failed' && /cut by the memory limit/.test(r.detail)));
  assert.equal(renderer.stats.renders, 2);
  assert.equal(renderer.stats.failedFast, 2);
});

test('a few users whose data is cut do not stop the others: failing fast needs most renders cut', () => {
  const compiled = compileContent({ en: { title: 'x{% for i in (1..user.attributes.n) %}★{% endfor %}' } });
  const renderer = new ContentRenderer(compiled, { maxLimitCuts: 2 });
  const ns = [1, 2, 3, 4, 5, 6, 100_000_001, 100_000_002, 100_000_003, 7, 8];
  const results = ns.map((n) => renderer.render(user(undefined, 'en', n)));
  assert.deepEqual(
    results.map((r) => r.ok),
    ns.map((n) => n < 1000),
  );
  assert.equal(renderer.stats.failedFast, 0);
});
