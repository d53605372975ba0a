import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';

function browserKeys() {
  const ecdh = createECDH('prime256v1');
  return { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

for (const kind of STORES) {
  describe(`registering an endpoint again changes only what the request carries (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const register = (key: string, body: Record<string, unknown>) => c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key, body });
    const stored = async (id: string) => {
      const got = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${id}`, { key: app.secretKey });
      const row = await c.ctx.store.db.selectFrom('subscriptions').select(['seq', 'p256dh']).where('id', '=', id).executeTakeFirstOrThrow();
      const tagRows = await c.ctx.store.db.selectFrom('subscription_tags').select(['key', 'value']).where('subscription_seq', '=', row.seq).orderBy('key').execute();
      return { ...got.body, p256dh: row.p256dh, tagRows: tagRows.map((t) => [t.key, t.value]) };
    };

    before(async () => {
      c = await startCarillon(kind);
      app = await c.createApp();
    });
    after(() => c.stop());

    test('the browser renewing its keys keeps the user id, tags, language and time zone the server set', async () => {
      const endpoint = `https://push.example.net/send/${randomBytes(6).toString('hex')}`;
      const first = await register(app.secretKey, { channel: 'webpush', endpoint, keys: browserKeys(), userId: 'u1', tags: { plan: 'pro', tier: 'gold' }, language: 'de', timezone: 'Europe/Berlin' });
      assert.equal(first.status, 201);
      const keys = browserKeys();
      const again = await register(app.publishableKey, { channel: 'webpush', endpoint, keys });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, first.body.id);
      const s = await stored(first.body.id);
      assert.equal(s.userId, 'u1');
      assert.deepEqual(s.tags, { plan: 'pro', tier: 'gold' });
      assert.deepEqual(s.tagRows, [['plan', 'pro'], ['tier', 'gold']], 'the tag index still finds it');
      assert.equal(s.language, 'de');
      assert.equal(s.timezone, 'Europe/Berlin');
      assert.equal(s.p256dh, keys.p256dh, 'the keys it carried are taken');
      const byTag = await c.ctx.store.db.selectFrom('subscription_tags').select('subscription_seq').where('app_id', '=', app.id).where('key', '=', 'tier').execute();
      assert.equal(byTag.length, 1);
    });

    test('null clears a field, {} clears the tags, and a field given replaces only itself', async () => {
      const endpoint = `https://push.example.net/send/${randomBytes(6).toString('hex')}`;
      const { body } = await register(app.secretKey, { channel: 'webpush', endpoint, keys: browserKeys(), userId: 'u2', tags: { plan: 'pro' }, language: 'fr', timezone: 'Europe/Paris' });
      // Sign-out in the browser: the user id goes, the rest stays.
      assert.equal((await register(app.publishableKey, { channel: 'webpush', endpoint, keys: browserKeys(), userId: null })).status, 200);
      let s = await stored(body.id);
      assert.equal(s.userId, null);
      assert.deepEqual(s.tags, { plan: 'pro' });
      assert.equal(s.language, 'fr');
      await register(app.publishableKey, withUserProof(app, { channel: 'webpush', endpoint, keys: browserKeys(), userId: 'u3', language: null }));
      s = await stored(body.id);
      assert.equal(s.userId, 'u3');
      assert.equal(s.language, null);
      assert.equal(s.timezone, 'Europe/Paris');
      await register(app.publishableKey, { channel: 'webpush', endpoint, keys: browserKeys(), tags: {} });
      s = await stored(body.id);
      assert.deepEqual(s.tags, {});
      assert.deepEqual(s.tagRows, []);
      assert.equal(s.userId, 'u3');
    });

    test('a new subscription without the shared fields has none', async () => {
      const { body, status } = await register(app.publishableKey, { channel: 'webpush', endpoint: `https://push.example.net/send/${randomBytes(6).toString('hex')}`, keys: browserKeys() });
      assert.equal(status, 201);
      const s = await stored(body.id);
      assert.equal(s.userId, null);
      assert.deepEqual(s.tags, {});
      assert.equal(s.language, null);
      assert.equal(s.timezone, null);
    });
  });
}
