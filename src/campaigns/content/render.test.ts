import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CampaignContent } from './campaign-content.ts';
import { compileContent } from './compile-content.ts';
import { Context } from 'liquidjs';
import { contentEngine } from './content-engine.ts';
import { render, renderVersion, type RenderBudget } from './render.ts';
import type { RenderContext } from './render-context.ts';

function ctx(attributes: Record<string, unknown> = {}, more: Partial<RenderContext> = {}, language: string | null = 'en'): RenderContext {
  return { user: { id: 'user-1', language, timezone: 'Europe/Paris', country: 'FR', attributes }, app: { name: 'Shop', globals: { supportUrl: 'https://help.example' } }, ...more };
}

function ok(content: CampaignContent, context: RenderContext, strict = false) {
  const compiled = compileContent(content, { defaultLanguage: Object.keys(content)[0], strict });
  const r = render(compiled, context.user.language, context);
  assert.ok(r.ok, `rendered: ${r.ok ? '' : r.detail}`);
  return r.content;
}

function failed(content: CampaignContent, context: RenderContext, strict = false) {
  const compiled = compileContent(content, { defaultLanguage: Object.keys(content)[0], strict });
  const r = render(compiled, context.user.language, context);
  assert.ok(!r.ok, `refused, not ${JSON.stringify(r.ok && r.content)}`);
  assert.equal(r.reason, 'render_failed');
  return r;
}

test('every field of the context renders under its documented name', () => {
  const content = ok(
    {
      en: {
        title: 'Hi {{ user.attributes.firstName }} ({{ user.id }}, {{ user.language }}, {{ user.timezone }}, {{ user.country }})',
        body: '{{ event.name }}: {{ event.properties.sku }} at {{ app.name }}',
        url: '{{ app.globals.supportUrl }}/orders/{{ event.properties.order | url_encode }}',
        actions: [{ action: 'view', title: 'View {{ event.properties.sku }}', url: '/p/{{ event.properties.sku }}' }],
      },
    },
    ctx({ firstName: 'Ana' }, { event: { name: 'cart_abandoned', properties: { sku: 'SKU-9', order: 'a b' } } }),
  );
  assert.deepEqual(content, {
    title: 'Hi Ana (user-1, en, Europe/Paris, FR)',
    body: 'cart_abandoned: SKU-9 at Shop',
    url: 'https://help.example/orders/a+b',
    actions: [{ action: 'view', title: 'View SKU-9', url: '/p/SKU-9' }],
    lang: 'en',
  });
});

test('a missing value renders blank, or its default', () => {
  assert.equal(ok({ en: { title: 'Hi {{ user.attributes.firstName }}!' } }, ctx()).title, 'Hi !');
  assert.equal(ok({ en: { title: 'Hi {{ user.attributes.firstName | default: "there" }}' } }, ctx()).title, 'Hi there');
  assert.equal(ok({ en: { title: 'Hi {{ user.attributes.firstName | default: "there" }}' } }, ctx({ firstName: 'Léa' })).title, 'Hi Léa');
  assert.equal(ok({ en: { title: 'Order {{ event.properties.id }}.' } }, ctx()).title, 'Order .', 'no event at all is blank too');
});

test('strict content fails the recipient on a missing variable, but not under default or if', () => {
  const r = failed({ en: { title: 'Hi {{ user.attributes.firstName }}' } }, ctx(), true);
  assert.equal(r.field, '/title');
  assert.match(r.detail, /^title: undefined variable: user\.attributes\.firstName \(line 1, column 7\)$/);
  assert.deepEqual(r.at, { line: 1, column: 7 }, "where the variable is");
  assert.equal(ok({ en: { title: 'Hi {{ user.attributes.firstName | default: "there" }}' } }, ctx(), true).title, 'Hi there');
  assert.equal(ok({ en: { title: 'Hi{% if user.attributes.firstName %} {{ user.attributes.firstName }}{% endif %}' } }, ctx(), true).title, 'Hi');
  assert.equal(ok({ en: { title: 'Hi {{ user.attributes.firstName }}' } }, ctx({ firstName: 'Ana' }), true).title, 'Hi Ana');
  // null is a value: strict mode fails on what is missing, not on what is empty.
  assert.equal(ok({ en: { title: 'Hi {{ user.country }}.' } }, { ...ctx(), user: { ...ctx().user, country: null } }, true).title, 'Hi .');
});

test('a rendered URL that is not https:, http: or a site path fails the recipient, naming the field but not the text', () => {
  for (const url of ['javascript:alert(document.cookie)', 'data:text/html,<script>x</script>', 'file:///etc/passwd', '//evil.example/x', 'https://ok.example/a b']) {
    const r = failed({ en: { title: 'x', url: '{{ user.attributes.link }}' } }, ctx({ link: url }));
    assert.equal(r.field, '/url');
    assert.match(r.detail, /^url rendered as /);
    assert.ok(!r.detail.includes('cookie') && !r.detail.includes('passwd') && !r.detail.includes('evil'), r.detail);
  }
  assert.equal(failed({ en: { title: 'x', actions: [{ action: 'a', title: 'b', url: '{{ user.attributes.link }}' }] } }, ctx({ link: 'vbscript:x' })).field, '/actions/0/url');
  assert.equal(failed({ en: { title: 'x', image: 'ftp://{{ user.id }}' } }, ctx()).field, '/image');
  assert.equal(ok({ en: { title: 'x', url: 'HTTPS://shop.example/{{ user.id }}' } }, ctx()).url, 'HTTPS://shop.example/user-1');
});

test('a title rendered empty, blank or too long fails the recipient with the length', () => {
  assert.equal(failed({ en: { title: '{{ user.attributes.firstName }}' } }, ctx()).detail, 'title rendered empty');
  assert.equal(failed({ en: { title: '  {{ user.attributes.firstName }} ' } }, ctx()).detail, 'title rendered empty');
  assert.equal(failed({ en: { title: '{{ user.attributes.bio }}' } }, ctx({ bio: 'x'.repeat(1001) })).detail, 'title rendered 1001 characters; at most 1000');
  assert.equal(failed({ en: { title: 't', body: '{{ user.attributes.bio }}{{ user.attributes.bio }}{{ user.attributes.bio }}{{ user.attributes.bio }}{{ user.attributes.bio }}' } }, ctx({ bio: 'x'.repeat(1000) })).field, '/body');
  assert.equal(failed({ en: { title: 't', actions: [{ action: 'a', title: '{{ user.attributes.none }}' }] } }, ctx()).field, '/actions/0/title');
});

test('an optional field that renders to nothing is left out', () => {
  const content = ok({ en: { title: 'x', body: '{{ user.attributes.none }}', url: '{% if user.attributes.link %}{{ user.attributes.link }}{% endif %}', actions: [{ action: 'a', title: 'b', url: ' {{ user.attributes.none }} ' }] } }, ctx());
  assert.deepEqual(content, { title: 'x', actions: [{ action: 'a', title: 'b' }], lang: 'en' });
});

test('the fields that take no Liquid go out as given; braces in them are text', () => {
  const content = ok({ en: { title: 'Hi {{ user.id }}', tag: '{{ not liquid }}', data: { k: '{{ user.id }}' }, badge: '/b.png' } }, ctx());
  assert.equal(content.tag, '{{ not liquid }}');
  assert.deepEqual(content.data, { k: '{{ user.id }}' });
  assert.equal(content.badge, '/b.png');
});

test('each user gets the version of their language by lookup, and the message says which', () => {
  const content: CampaignContent = { en: { title: 'Hello {{ user.attributes.firstName }}' }, fr: { title: 'Bonjour {{ user.attributes.firstName }}' }, 'fr-CA': { title: 'Allô {{ user.attributes.firstName }}' } };
  const compiled = compileContent(content, { defaultLanguage: 'en' });
  const title = (language: string | null) => {
    const r = render(compiled, language, ctx({ firstName: 'Zoé' }, {}, language));
    assert.ok(r.ok);
    return [r.language, r.content.title, r.content.lang];
  };
  assert.deepEqual(title('fr-CA'), ['fr-CA', 'Allô Zoé', 'fr-CA']);
  assert.deepEqual(title('fr-ca'), ['fr-CA', 'Allô Zoé', 'fr-CA']);
  assert.deepEqual(title('fr-FR'), ['fr', 'Bonjour Zoé', 'fr']);
  assert.deepEqual(title('de'), ['en', 'Hello Zoé', 'en']);
  assert.deepEqual(title(null), ['en', 'Hello Zoé', 'en']);
});

test('the output is not HTML-escaped: a notification is text, not markup', () => {
  assert.equal(ok({ en: { title: '{{ user.attributes.name }}' } }, ctx({ name: 'Tom & <Jerry>' })).title, 'Tom & <Jerry>');
});

test('dates format in UTC and English whatever the machine says', () => {
  assert.equal(ok({ en: { title: '{{ user.attributes.since | date: "%A %H:%M" }}' } }, ctx({ since: '2026-12-01T23:30:00Z' })).title, 'Tuesday 23:30');
});

test('a rendered message is frozen, since recipients with the same rendering share it', () => {
  const compiled = compileContent({ en: { title: 'Hi {{ user.id }}', actions: [{ action: 'a', title: 'b' }] }, fr: { title: 'Salut', data: { k: 1 } } }, { defaultLanguage: 'en' });
  for (const language of ['en', 'fr']) {
    const r = render(compiled, language, ctx({}, {}, language));
    assert.ok(r.ok);
    assert.ok(Object.isFrozen(r.content), language);
    assert.throws(() => {
      (r.content as { title: string }).title = 'changed';
    }, TypeError);
  }
  const en = render(compiled, 'en', ctx());
  assert.ok(en.ok && Object.isFrozen(en.content.actions![0]));
});

test('renderVersion spends the budget it is given: a spent time budget cuts even a cheap render', () => {
  const compiled = compileContent({ en: { title: 'Hi {{ user.id }}' } });
  const version = compiled.versions.get('en')!;
  assert.ok(renderVersion(version, false, ctx()).ok);
  // A limiter whose deadline has passed, as one left by earlier renders that used it up.
  const spent = new Context({}, contentEngine.options, { renderLimit: -1 }).renderLimit;
  const r = renderVersion(version, false, ctx(), { renderLimit: spent });
  assert.ok(!r.ok && r.cut === 'time');
  // And a budget without a limiter gets the one the render started, to share further; a
  // template of text and plain variables starts none (simple-template.ts), there is nothing to cut.
  const budget: RenderBudget = {};
  renderVersion(compileContent({ en: { title: 'Hi {{ user.id | upcase }}' } }).versions.get('en')!, false, ctx(), budget);
  assert.ok(budget.renderLimit);
  const none: RenderBudget = {};
  assert.ok(renderVersion(version, false, ctx(), none).ok);
  assert.equal(none.renderLimit, undefined);
});

test('text that is not well-formed Unicode fails the recipient instead of going out repaired', () => {
  // liquidjs slices by code point, and the API refuses lone surrogates; a value from
  // elsewhere (a stored row written around the API) may still hold one.
  const r = failed({ en: { title: 'Hi {{ user.attributes.name }}!' } }, ctx({ name: 'Ana \ud83d' }));
  assert.equal(r.field, '/title');
  assert.match(r.detail, /not well-formed Unicode/);
  assert.equal(ok({ en: { title: '{{ user.attributes.name | slice: 0, 1 }}!' } }, ctx({ name: '😀 Ana' })).title, '😀!');
});
