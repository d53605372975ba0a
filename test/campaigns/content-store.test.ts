/**
 * Campaign content over users as the API stores them, on SQLite and PostgreSQL: what a
 * user set with PUT /users renders in their language, and a page of users renders once per
 * distinct rendering.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { compileContent, ContentRenderer, renderUser, type RenderContext } from '../../src/campaigns/content/index.ts';

for (const kind of STORES) {
  describe(`campaign content over stored users (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    before(async () => {
      c = await startCarillon(kind, {}, { now: () => Date.parse('2026-12-01T09:00:00Z') });
      app = await c.createApp('content');
      const users: Array<[string, Record<string, unknown>]> = [
        ['ana', { language: 'fr-CA', attributes: { firstName: 'Ana', plan: 'pro' } }],
        ['bo', { language: 'fr-FR', attributes: { firstName: 'Bo' } }],
        ['cy', { language: 'de', attributes: {} }],
        ['dee', { attributes: { firstName: 'Dee', plan: 'free' } }],
        ['eve', { language: 'FR-ca', attributes: { firstName: 'Ana', plan: 'free' } }],
      ];
      for (const [id, body] of users) {
        const res = await c.api('PUT', `/v1/apps/${app.id}/users/${id}`, { key: app.secretKey, body });
        assert.ok(res.status < 300, JSON.stringify(res.body));
      }
    });
    after(() => c.stop());

    test('each stored user gets their language version with their attributes, and equal renderings are rendered once', async () => {
      const compiled = compileContent(
        {
          en: { title: 'Hello {{ user.attributes.firstName | default: "there" }}', url: 'https://shop.example/{{ user.id }}/offers' },
          fr: { title: 'Bonjour {{ user.attributes.firstName | default: "à vous" }}' },
          'fr-CA': { title: 'Allô {{ user.attributes.firstName | default: "toi" }}' },
        },
        { defaultLanguage: 'en' },
      );
      const rows = await c.ctx.store.db.selectFrom('users').select(['external_id', 'language', 'timezone', 'country', 'attributes']).where('app_id', '=', app.id).orderBy('external_id').execute();
      const renderer = new ContentRenderer(compiled);
      const seen = rows.map((row) => {
        const ctx: RenderContext = { user: renderUser(row), app: { globals: {} } };
        const r = renderer.render(ctx);
        assert.ok(r.ok, r.ok ? '' : r.detail);
        return [row.external_id, r.language, r.content.title, r.content.url ?? null];
      });
      assert.deepEqual(seen, [
        ['ana', 'fr-CA', 'Allô Ana', null],
        ['bo', 'fr', 'Bonjour Bo', null],
        ['cy', 'en', 'Hello there', 'https://shop.example/cy/offers'],
        ['dee', 'en', 'Hello Dee', 'https://shop.example/dee/offers'],
        ['eve', 'fr-CA', 'Allô Ana', null],
      ]);
      assert.equal(renderer.stats.renders, 4, 'ana and eve share one rendering: plan is not read');
    });
  });
}
