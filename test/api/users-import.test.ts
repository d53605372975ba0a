/** The import page: each user created or merged as PUT does it; a bad one refused by index, the rest stored. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

for (const kind of STORES) {
  describe(`users import page (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const page = (users: unknown[], key = app.secretKey) => c.api('POST', `/v1/apps/${app.id}/users/import`, { key, body: { users } });

    before(async () => {
      c = await startCarillon(kind);
      app = await c.createApp('import');
    });
    after(() => c.stop());

    test('good rows are imported; bad rows are refused with index, code and pointer, and store nothing', async () => {
      await c.api('PUT', `/v1/apps/${app.id}/users/u1`, { key: app.secretKey, body: { attributes: { keep: 'me' }, country: 'DE' } });
      const res = await page([
        { externalId: 'u1', attributes: { plan: 'gold' }, language: 'en-gb' },
        { externalId: 'u2', country: 'FRA' },
        { externalId: 'u3', timezone: 'Europe/Lisbon', location: { lat: 38.7, lon: -9.1 } },
        { attributes: { plan: 'x' } },
        { externalId: 'u5', attributes: { 'bad key': 1 } },
        { externalId: 'u6', email: 'x@example.com' },
        { externalId: 'u7', attributes: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) },
      ]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.imported, 2);
      assert.deepEqual(res.body.refused.map((r: any) => [r.index, r.code, r.pointer]), [
        [1, 'invalid_country', '#/country'],
        [3, 'invalid_request', '#/externalId'],
        [4, 'invalid_attribute', '#/attributes/bad%20key'],
        [5, 'invalid_request', '#/email'],
        [6, 'too_many_attributes', '#/attributes'],
      ]);
      const u1 = (await c.api('GET', `/v1/apps/${app.id}/users/u1`, { key: app.secretKey })).body;
      assert.deepEqual([u1.attributes, u1.language, u1.country], [{ keep: 'me', plan: 'gold' }, 'en-GB', 'DE'], 'merged, as PUT merges');
      const u3 = (await c.api('GET', `/v1/apps/${app.id}/users/u3`, { key: app.secretKey })).body;
      assert.deepEqual(u3.location, { lat: 38.7, lon: -9.1 });
      const ids = (await c.ctx.store.db.selectFrom('users').select('external_id').where('app_id', '=', app.id).orderBy('external_id').execute()).map((r) => r.external_id);
      assert.deepEqual(ids, ['u1', 'u3']);
    });

    test('a page holds 1 to 1,000 users, and is for the secret key', async () => {
      assert.equal((await page([])).body.code, 'invalid_request');
      assert.equal((await page(Array.from({ length: 1001 }, (_, i) => ({ externalId: `p${i}` })))).status, 400);
      assert.equal((await page([{ externalId: 'p' }], app.publishableKey)).status, 403);
      const full = await page(Array.from({ length: 1000 }, (_, i) => ({ externalId: `p${i}` })));
      assert.deepEqual([full.body.imported, full.body.refused], [1000, []]);
    });
  });
}
