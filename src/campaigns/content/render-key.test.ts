import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileContent } from './compile-content.ts';
import { render } from './render.ts';
import type { RenderContext } from './render-context.ts';
import { renderKey } from './render-key.ts';

const compiled = compileContent(
  {
    en: { title: 'Hi {{ user.attributes.firstName | default: "there" }}', body: '{{ user.attributes.tier | size }} {{ event.properties.sku }}' },
    fr: { title: 'Salut {{ user.attributes.firstName }}', url: 'https://s.example/{{ user.country | downcase }}' },
    de: { title: 'Hallo' },
  },
  { defaultLanguage: 'en' },
);
const strict = compileContent({ en: { title: 'Hi {{ user.attributes.firstName }}' } }, { strict: true });

function user(attributes: Record<string, unknown>, language: string | null = 'en', country: string | null = 'FR'): RenderContext {
  return { user: { id: 'u', language, timezone: null, country, attributes }, app: { globals: {} } };
}

test('what a template does not read does not split a group', () => {
  const a = user({ firstName: 'Ana', plan: 'pro', visits: 3 });
  const b = { ...user({ firstName: 'Ana', plan: 'free' }), user: { ...a.user, id: 'other', timezone: 'Asia/Kolkata', attributes: { firstName: 'Ana', plan: 'free' } } };
  assert.equal(renderKey(compiled, 'en', a), renderKey(compiled, 'en', b));
  assert.notEqual(renderKey(compiled, 'en', a), renderKey(compiled, 'en', user({ firstName: 'Bo' })));
  // A version without Liquid is one group for every user.
  assert.equal(renderKey(compiled, 'de', a), renderKey(compiled, 'de', user({ firstName: 'Bo' }, 'de', null)));
  // The version is part of the key: fr-CA and fr-BE both get fr.
  assert.equal(renderKey(compiled, 'fr-CA', user({ firstName: 'Ana' }, 'fr-CA')), renderKey(compiled, 'fr-BE', user({ firstName: 'Ana' }, 'fr-BE')));
  assert.notEqual(renderKey(compiled, 'fr', a), renderKey(compiled, 'en', a));
});

test('missing and null are different keys, since strict content fails on one and not the other', () => {
  assert.notEqual(renderKey(strict, 'en', user({})), renderKey(strict, 'en', user({ firstName: null })));
  assert.equal(render(strict, 'en', user({})).ok, false);
});

test('the order an object was built in does not change its key', () => {
  const c = compileContent({ en: { title: '{{ user.attributes }}' } });
  assert.equal(renderKey(c, 'en', user({ a: 1, b: 2 })), renderKey(c, 'en', user({ b: 2, a: 1 })));
});

// The property the pipeline relies on: recipients with equal keys get equal renderings.
test('equal keys mean identical renderings, over generated users', () => {
  const value = fc.oneof(fc.constantFrom('Ana', 'ana', 'Bo', '', ' '), fc.constant(null), fc.integer({ min: -2, max: 2 }), fc.boolean());
  const attrs = fc.dictionary(fc.constantFrom('firstName', 'tier', 'plan'), value, { maxKeys: 3 });
  const ctxArb = fc.record({
    attributes: attrs,
    language: fc.constantFrom('en', 'fr', 'fr-CA', 'de', 'es', null),
    country: fc.constantFrom('FR', 'fr', null),
    sku: fc.option(fc.constantFrom('A', 'B'), { nil: undefined }),
  });
  fc.assert(
    fc.property(fc.array(ctxArb, { minLength: 2, maxLength: 12 }), (inputs) => {
      const seen = new Map<string, string>();
      for (const i of inputs) {
        const ctx: RenderContext = { ...user(i.attributes, i.language, i.country), ...(i.sku === undefined ? {} : { event: { name: 'e', properties: { sku: i.sku } } }) };
        for (const c of [compiled, strict]) {
          const key = (c === strict ? 's' : 'c') + renderKey(c, i.language, ctx);
          const out = JSON.stringify(render(c, i.language, ctx));
          const before = seen.get(key);
          if (before !== undefined) assert.equal(out, before, `key ${JSON.stringify(key)}`);
          seen.set(key, out);
        }
      }
    }),
    { numRuns: 300 },
  );
});
