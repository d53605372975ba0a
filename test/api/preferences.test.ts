/**
 * Categories and preferences through the API: an app declares its own categories beside
 * the built-in ones, and a user turns categories off, with the secret key or, for its own
 * verified user, from the browser with the publishable key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';

const ALL_ON = { orders: true, promotions: true, security: true, civic: true };

for (const kind of STORES) {
  describe(`categories and preferences (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const prefs = (user: string) => `/v1/apps/${app.id}/users/${encodeURIComponent(user)}/preferences`;
    const stored = async () =>
      (await c.ctx.store.db.selectFrom('user_preferences').innerJoin('users', 'users.seq', 'user_preferences.user_seq').select(['users.external_id', 'category', 'enabled']).where('users.app_id', '=', app.id).orderBy('users.external_id').orderBy('category').execute()).map((r) => [r.external_id, r.category, Number(r.enabled)]);

    before(async () => {
      c = await startCarillon(kind);
      app = await c.createApp('shop');
    });
    after(() => c.stop());

    test('an app has the built-in categories; it declares its own, and may not redeclare a built-in one', async () => {
      assert.deepEqual((await c.api('GET', `/v1/apps/${app.id}`, { key: app.publishableKey })).body.categories, []);
      const declared = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { categories: ['newsletter', 'price_drop'] } });
      assert.equal(declared.status, 200, JSON.stringify(declared.body));
      assert.deepEqual(declared.body.categories, ['newsletter', 'price_drop']);

      const reserved = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { identityVerification: false, categories: ['blog', 'security'] } });
      assert.equal(reserved.status, 400);
      assert.equal(reserved.body.code, 'category_reserved');
      assert.equal(reserved.body.errors[0].pointer, '#/categories/1');
      const after = await c.api('GET', `/v1/apps/${app.id}`, { key: app.secretKey });
      assert.deepEqual([after.body.categories, after.body.identityVerification], [['newsletter', 'price_drop'], true], 'nothing of the refused request changed');

      for (const [body, pointer] of [[{ categories: ['Newsletter'] }, '#/categories/0'], [{ categories: ['a'.repeat(33)] }, '#/categories/0'], [{ categories: ['x', 'x'] }, '#/categories']] as const) {
        const bad = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body });
        assert.equal(bad.status, 400, JSON.stringify(body));
        assert.equal(bad.body.code, 'invalid_request');
        assert.equal(bad.body.errors[0].pointer, pointer);
      }
      const tooMany = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { categories: Array.from({ length: 51 }, (_, i) => `c${i}`) } });
      assert.equal(tooMany.body.code, 'invalid_request');
      const browser = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.publishableKey, body: { categories: ['x'] } });
      assert.equal(browser.status, 403, 'declaring categories needs the secret key');
    });

    test('GET gives every category of the app, true for a user never seen; nothing is created by reading', async () => {
      const res = await c.api('GET', prefs('nobody'), { key: app.secretKey });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { ...ALL_ON, newsletter: true, price_drop: true });
      const user = await c.ctx.store.db.selectFrom('users').select('seq').where('app_id', '=', app.id).where('external_id', '=', 'nobody').executeTakeFirst();
      assert.equal(user, undefined);
    });

    test('PUT turns categories off and on, creates an unknown user, and leaves the categories it does not name', async () => {
      const off = await c.api('PUT', prefs('alice'), { key: app.secretKey, body: { promotions: false, newsletter: false } });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.deepEqual(off.body, { ...ALL_ON, promotions: false, newsletter: false, price_drop: true });
      const user = await c.ctx.store.db.selectFrom('users').select(['external_id', 'session_count']).where('app_id', '=', app.id).where('external_id', '=', 'alice').executeTakeFirst();
      assert.deepEqual(user && [user.external_id, Number(user.session_count)], ['alice', 0], 'the user was created');

      const back = await c.api('PUT', prefs('alice'), { key: app.secretKey, body: { newsletter: true } });
      assert.deepEqual(back.body, { ...ALL_ON, promotions: false, newsletter: true, price_drop: true });
      assert.deepEqual((await c.api('GET', prefs('alice'), { key: app.secretKey })).body, back.body);
      assert.deepEqual(await stored(), [['alice', 'newsletter', 1], ['alice', 'promotions', 0]]);
    });

    test('a user id as long as a subscription may carry (256 characters, any script) fits in the path', async () => {
      const long = 'é'.repeat(256);
      const res = await c.api('PUT', prefs(long), { key: app.secretKey, body: { promotions: false } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal((await c.api('GET', prefs(long), { key: app.secretKey })).body.promotions, false);
      assert.equal((await c.api('GET', prefs('é'.repeat(257)), { key: app.secretKey })).body.code, 'invalid_request');
    });

    test('security cannot be turned off; civic can; an unknown category is refused with a pointer; nothing is stored', async () => {
      const security = await c.api('PUT', prefs('bob'), { key: app.secretKey, body: { promotions: false, security: false } });
      assert.equal(security.status, 403);
      assert.match(String(security.headers['content-type']), /application\/problem\+json/);
      assert.equal(security.body.code, 'category_always_on');
      assert.equal(security.body.errors[0].pointer, '#/security');
      assert.equal((await c.api('PUT', prefs('bob'), { key: app.secretKey, body: { security: true } })).status, 200, 'on is what it is anyway');

      const unknown = await c.api('PUT', prefs('bob'), { key: app.secretKey, body: { promotions: false, 'big/sale': false } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.code, 'unknown_category');
      assert.equal(unknown.body.errors[0].pointer, '#/big~1sale');
      const notBoolean = await c.api('PUT', prefs('bob'), { key: app.secretKey, body: { promotions: 'false' } });
      assert.equal(notBoolean.body.code, 'invalid_request', 'no coercion of "false"');
      assert.equal(notBoolean.body.errors[0].pointer, '#/promotions');
      assert.deepEqual((await c.api('GET', prefs('bob'), { key: app.secretKey })).body.promotions, true, 'nothing of the refused requests was stored');

      const civic = await c.api('PUT', prefs('bob'), { key: app.secretKey, body: { civic: false } });
      assert.equal(civic.status, 200);
      assert.equal(civic.body.civic, false);
    });

    test('the publishable key sets and reads only its own verified user, from any origin', async () => {
      const body = { promotions: false, userIdHash: userIdHash(app, 'carol') };
      const put = await c.api('PUT', prefs('carol'), { key: app.publishableKey, body });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.promotions, false);
      assert.equal(put.headers['access-control-allow-origin'], '*');

      const missing = await c.api('PUT', prefs('dave'), { key: app.publishableKey, body: { promotions: false } });
      assert.equal(missing.status, 403);
      assert.equal(missing.body.code, 'identity_not_verified');
      const forged = await c.api('PUT', prefs('dave'), { key: app.publishableKey, body });
      assert.equal(forged.body.code, 'identity_not_verified', "carol's hash does not make her dave");
      assert.equal(await c.ctx.store.db.selectFrom('users').select('seq').where('app_id', '=', app.id).where('external_id', '=', 'dave').executeTakeFirst(), undefined, 'no user was created');

      const read = await c.api('GET', `${prefs('carol')}?userIdHash=${userIdHash(app, 'carol')}`, { key: app.publishableKey });
      assert.equal(read.status, 200);
      assert.equal(read.body.promotions, false);
      assert.equal((await c.api('GET', prefs('carol'), { key: app.publishableKey })).body.code, 'identity_not_verified');
      assert.equal((await c.api('GET', `${prefs('alice')}?userIdHash=${userIdHash(app, 'carol')}`, { key: app.publishableKey })).body.code, 'identity_not_verified');

      const preflight = await c.api('OPTIONS', prefs('carol'), { headers: { origin: 'https://shop.example', 'access-control-request-method': 'PUT' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-methods'], 'GET, PUT');

      const other = await c.createApp('other');
      const cross = await c.api('PUT', prefs('carol'), { key: other.secretKey, body: { promotions: true } });
      assert.equal(cross.status, 403, "another app's key");
    });

    test("removing an app's category keeps its users' choices: hidden, refused for new requests, back when declared again", async () => {
      await c.api('PUT', prefs('erin'), { key: app.secretKey, body: { price_drop: false } });
      await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { categories: ['newsletter'] } });
      assert.deepEqual((await c.api('GET', prefs('erin'), { key: app.secretKey })).body, { ...ALL_ON, newsletter: true });
      assert.equal((await c.api('PUT', prefs('erin'), { key: app.secretKey, body: { price_drop: true } })).body.code, 'unknown_category');
      await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { categories: ['newsletter', 'price_drop'] } });
      assert.equal((await c.api('GET', prefs('erin'), { key: app.secretKey })).body.price_drop, false, 'still off');
    });
  });
}
