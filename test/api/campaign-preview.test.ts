/**
 * POST /v1/apps/{appId}/campaigns/preview on SQLite and PostgreSQL: a campaign's content
 * rendered as a chosen user (every version, and the one their language picks) or as a
 * random user of the audience, by the renderer the sends use; template errors refused with
 * their pointer, line and column; a failing render answered in its version; nothing saved.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { userWithDevice } from '../campaigns/campaign-fixture.ts';

const CONTENT = {
  en: { title: 'Hi {{ user.attributes.firstName | default: "there" }}', body: 'Shop at {{ app.globals.shop }}', url: 'https://shop.example/{{ user.id }}' },
  fr: { title: 'Bonjour {{ user.attributes.firstName | default: "toi" }}' },
};

for (const kind of STORES) {
  describe(`campaign preview (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const preview = (body: unknown, key = app.secretKey) => c.api('POST', `/v1/apps/${app.id}/campaigns/preview`, { key, body });

    before(async () => {
      c = await startCarillon(kind, { allowPrivateEndpoints: true });
      sink = await startPushSink();
      app = await c.createApp();
      await userWithDevice(c, sink, app, 'ann', { language: 'fr-CA', attributes: { firstName: 'Ann', plan: 'pro' } });
      await userWithDevice(c, sink, app, 'bob', { language: 'de', attributes: { plan: 'pro' } });
      await userWithDevice(c, sink, app, 'gus', { language: 'en-GB', attributes: { firstName: 'Gus', plan: 'free' } });
      const set = await c.api('PATCH', `/v1/apps/${app.id}/campaign-settings`, { key: app.secretKey, body: { globals: { shop: 'Florist' } } });
      assert.equal(set.status, 200, JSON.stringify(set.body));
    });
    after(async () => {
      await c?.stop();
      await sink?.close();
    });

    test('a chosen user: every version with their data, and the version their language picks', async () => {
      const ann = await preview({ content: CONTENT, defaultLanguage: 'en', userId: 'ann' });
      assert.equal(ann.status, 200, JSON.stringify(ann.body));
      assert.equal(ann.body.language, 'fr', 'fr-CA falls back to fr');
      assert.deepEqual(ann.body.user, { id: 'ann', language: 'fr-CA', timezone: null, country: null });
      assert.equal(ann.body.versions.fr.content.title, 'Bonjour Ann');
      assert.deepEqual(ann.body.versions.en.content, { title: 'Hi Ann', body: 'Shop at Florist', url: 'https://shop.example/ann', lang: 'en' });
      const bob = await preview({ content: CONTENT, defaultLanguage: 'en', userId: 'bob' });
      assert.equal(bob.body.language, 'en', 'de has no version: the default');
      assert.equal(bob.body.versions.en.content.title, 'Hi there', 'a missing value takes its default');
    });

    test('a random user is one of the audience, and over many draws each of them', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 30; i++) {
        const res = await preview({ content: CONTENT, defaultLanguage: 'en', random: true, audience: { filter: { attribute: 'plan', op: 'eq', value: 'pro' } } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        seen.add(res.body.user.id);
      }
      assert.deepEqual([...seen].sort(), ['ann', 'bob'], 'gus (free) is not of the audience');
      const none = await preview({ content: CONTENT, defaultLanguage: 'en', random: true, audience: { filter: { attribute: 'plan', op: 'eq', value: 'gold' } } });
      assert.equal(none.status, 404);
      assert.equal(none.body.code, 'user_not_found');
      assert.equal(none.body.pointer, '#/audience');
      const bad = await preview({ content: CONTENT, defaultLanguage: 'en', random: true, audience: { filter: { attribute: 'plan', op: 'nope', value: 1 } } });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.equal(bad.body.code, 'invalid_filter');
      assert.match(bad.body.pointer, /^#\/audience\/filter/);
    });

    test('a template that does not compile is refused with its pointer, line and column', async () => {
      const res = await preview({ content: { en: CONTENT.en, fr: { title: 'Bonjour {{ user.attributes.firstName ' } }, defaultLanguage: 'en', userId: 'ann' });
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(res.body.code, 'template_invalid');
      assert.equal(res.body.pointer, '#/content/fr/title');
      assert.equal(res.body.line, 1);
      assert.equal(typeof res.body.column, 'number');
      const lang = await preview({ content: CONTENT, defaultLanguage: 'de', userId: 'ann' });
      assert.equal(lang.body.code, 'invalid_content_language');
      assert.equal(lang.body.pointer, '#/defaultLanguage');
    });

    test('strict content that misses a value for this user is answered in its version, with the pointer', async () => {
      const res = await preview({ content: { en: { title: 'Hi {{ user.attributes.firstName }}' } }, strict: true, userId: 'bob' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.versions.en.ok, false);
      assert.equal(res.body.versions.en.pointer, '#/content/en/title');
      assert.match(res.body.versions.en.detail, /firstName/);
    });

    test('who to render as: exactly one of userId or random, and a user of the app', async () => {
      for (const body of [{ content: CONTENT, defaultLanguage: 'en' }, { content: CONTENT, defaultLanguage: 'en', userId: 'ann', random: true }]) {
        const res = await preview(body);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.code, 'invalid_request');
        assert.equal(res.body.pointer, '#/userId');
      }
      const nobody = await preview({ content: CONTENT, defaultLanguage: 'en', userId: 'zed' });
      assert.equal(nobody.status, 404);
      assert.equal(nobody.body.code, 'user_not_found');
      const publishable = await preview({ content: CONTENT, defaultLanguage: 'en', userId: 'ann' }, app.publishableKey);
      assert.equal(publishable.status, 403, 'the secret key only: it reads user data');
    });

    test('a preview saves and sends nothing', async () => {
      assert.equal((await c.ctx.store.db.selectFrom('campaigns').select('id').execute()).length, 0);
      assert.equal((await c.ctx.store.db.selectFrom('notifications').select('id').execute()).length, 0);
      assert.equal(sink.received.length, 0);
    });
  });
}
