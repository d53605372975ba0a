import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

function browserKeys() {
  const ecdh = createECDH('prime256v1');
  return { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

for (const kind of STORES) {
  describe(`endpoints are stored in one form (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const register = (endpoint: string) => c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint, keys: browserKeys() } });
    const addresses = async () => (await c.ctx.store.db.selectFrom('subscriptions').select('address').where('app_id', '=', app.id).orderBy('seq').execute()).map((r) => r.address);

    before(async () => {
      c = await startCarillon(kind);
      app = await c.createApp();
    });
    after(() => c.stop());

    test('an upper-case host or a default port is the same subscription, stored normalised', async () => {
      const first = await register('https://Push.Example.NET:443/send/AbC');
      assert.equal(first.status, 201);
      const second = await register('https://push.example.net/send/AbC');
      assert.equal(second.status, 200);
      assert.equal(second.body.id, first.body.id);
      const third = await register('HTTPS://PUSH.EXAMPLE.NET/send/AbC');
      assert.equal(third.body.id, first.body.id);
      assert.deepEqual(await addresses(), ['https://push.example.net/send/AbC'], 'the path keeps its case');
      const got = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${first.body.id}`, { key: app.secretKey });
      assert.equal(got.body.endpoint, 'https://push.example.net/send/AbC');
    });

    test('control characters are refused, not stored', async () => {
      const before = await addresses();
      for (const endpoint of ['https://push.example.net/a\r\nX-Injected: 1', 'https://push.example.net/a\u0000b', 'https://push.example.net/a\tb', ' https://push.example.net/a']) {
        const res = await register(endpoint);
        assert.equal(res.status, 400, JSON.stringify(endpoint));
        assert.equal(res.body.code, 'endpoint_rejected');
        assert.match(res.body.detail, /control character/);
      }
      assert.deepEqual(await addresses(), before);
    });
  });
}
