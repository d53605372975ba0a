import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Context } from 'liquidjs';
import { contentEngine } from './content-engine.ts';
import { compileContent } from './compile-content.ts';
import { liquidScope } from './liquid-scope.ts';
import { render } from './render.ts';
import type { RenderContext } from './render-context.ts';
import { renderSimple, simpleTemplate } from './simple-template.ts';

const SIMPLE = [
  'Hi {{ user.attributes.firstName }}, new in {{ user.attributes.city }}',
  'Hi {{ user.attributes.firstName | default: "there" }}!',
  '{{- user.attributes.firstName -}} , {{ user["language"] }} {{ app.name }} {{ app.globals.supportUrl }}',
  '{{ user.attributes.nested.deeper }}/{{ user.attributes.count }}/{{ user.attributes.flag | default: "no" }}',
  '{{ user.attributes.missing.more | default: "x" }}{{ user.attributes.empty | default: "e" }}{{ user.attributes.nothing }}',
  '{{ user.attributes.list }}{{ user.attributes.obj }}',
  '{{ event.properties.sku | default: "none" }} {{ user.attributes.city.name }}',
  '{{ user.attributes.nested.deeper.deeper.deeper.deeper.deeper.deeper | default: "cut" }}|{{ user.attributes.nested.deeper.deeper.deeper.deeper.deeper.deeper.deeper }}',
];

const NOT_SIMPLE = ['{{ user.attributes.name | upcase }}', '{% if user.language %}x{% endif %}', '{{ user.attributes.list.size }}', '{{ user.attributes.list[0] }}', '{{ "lit" }}', '{{ user.attributes.a | default: 3 }}', '{{ user.attributes.a | default: "a" | upcase }}'];

const CONTEXTS: RenderContext[] = [
  { user: { id: 'u1', language: 'fr', timezone: null, country: null, attributes: { firstName: 'Ana', city: 'Lyon', count: 3, flag: false, empty: '', nothing: null, nested: { deeper: 'd' }, list: ['a', 'b'], obj: { k: 1 } } }, app: { name: 'Shop', globals: { supportUrl: 'https://help.example' } } },
  { user: { id: 'u2', language: null, timezone: null, country: null, attributes: {} }, app: { name: 'Shop', globals: {} } },
  { user: { id: 'u3', language: 'de', timezone: null, country: null, attributes: { firstName: '', city: 'Köln 🎉', count: 0, flag: true, nested: null, missing: 'str' } }, app: { name: '', globals: {} }, event: { name: 'e', properties: { sku: 'S-1' } } },
  odd(),
];

/** Data liquidScope leaves out or changes: a getter, a function, NaN, a hidden property, a level past its depth. */
function odd(): RenderContext {
  const attributes: Record<string, unknown> = JSON.parse('{"__proto__": "p", "count": 1}');
  Object.defineProperty(attributes, 'firstName', { get: () => 'from a getter', enumerable: true });
  Object.defineProperty(attributes, 'city', { value: 'hidden', enumerable: false });
  attributes.empty = () => 'a function';
  attributes.nothing = Number.NaN;
  attributes.flag = Infinity;
  let deep: Record<string, unknown> = { deeper: 'the bottom' };
  for (let i = 0; i < 8; i++) deep = { deeper: deep };
  attributes.nested = deep;
  return { user: { id: 'u4', language: 'en', timezone: null, country: null, attributes }, app: { name: 'Shop', globals: { supportUrl: 7 } } };
}

function viaLiquid(source: string, ctx: RenderContext, strict: boolean): { text: string } | { error: string } {
  const context = new Context(liquidScope(ctx), contentEngine.options, { strictVariables: strict, ownPropertyOnly: true, renderLimit: 60_000 }, { liquid: contentEngine });
  try {
    return { text: String(contentEngine.renderSync(contentEngine.parse(source), context)) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

test('a template of text and plain variables renders as liquidjs renders it, or is left to liquidjs', () => {
  let fast = 0;
  for (const source of SIMPLE) {
    const simple = simpleTemplate(contentEngine.parse(source));
    assert.ok(simple, `simple: ${source}`);
    for (const ctx of CONTEXTS) {
      for (const strict of [false, true]) {
        const got = renderSimple(simple, ctx, strict);
        const want = viaLiquid(source, ctx, strict);
        if (got === undefined) {
          // Left to liquidjs only where it fails the recipient, or reads through a string or shows an array or object.
          assert.ok('error' in want || /list|city\.name|missing\.more|deeper\.deeper/.test(source), `left to liquidjs: ${source} for ${ctx.user.id}${strict ? ' (strict)' : ''}`);
          continue;
        }
        fast++;
        assert.deepEqual({ text: got }, want, `${source} for ${ctx.user.id}${strict ? ' (strict)' : ''}`);
      }
    }
  }
  assert.ok(fast >= 30, `rendered without liquidjs: ${fast}`);
});

test('a strict template whose variable is missing is left to liquidjs, which names it', () => {
  const simple = simpleTemplate(contentEngine.parse('Hi {{ user.attributes.firstName }}'))!;
  assert.equal(renderSimple(simple, CONTEXTS[1]!, true), undefined);
  assert.equal(renderSimple(simple, CONTEXTS[1]!, false), 'Hi ');
  const withDefault = simpleTemplate(contentEngine.parse('Hi {{ user.attributes.firstName | default: "there" }}'))!;
  assert.equal(renderSimple(withDefault, CONTEXTS[1]!, true), 'Hi there');
});

test('tags, other filters, indexes and size are not simple: they render with liquidjs and its limits', () => {
  for (const source of NOT_SIMPLE) assert.equal(simpleTemplate(contentEngine.parse(source)), null, source);
});

test('through render: a simple strict template still fails a missing variable with liquidjs\'s detail and position', () => {
  const compiled = compileContent({ en: { title: 'Hi {{ user.attributes.firstName }}', body: '{{ user.attributes.city | default: "your city" }}' } }, { defaultLanguage: 'en', strict: true });
  const missing = render(compiled, 'en', CONTEXTS[1]!);
  assert.ok(!missing.ok);
  assert.equal(missing.field, '/title');
  assert.match(missing.detail, /firstName/);
  assert.deepEqual(missing.at, { line: 1, column: 7 }); // where liquidjs puts the variable
  const given = render(compiled, 'en', CONTEXTS[0]!);
  assert.ok(given.ok);
  assert.equal(given.content.title, 'Hi Ana');
  assert.equal(given.content.body, 'Lyon');
});
