import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';

function browserKeys() {
  const ecdh = createECDH('prime256v1');
  return { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

function sub(endpoint: string, extra: Record<string, unknown> = {}) {
  return { channel: 'webpush', endpoint, keys: browserKeys(), ...extra };
}

for (const kind of STORES) {
  describe(`subscriptions (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const count = async () => Number((await c.ctx.store.db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', app.id).executeTakeFirstOrThrow()).n);

    before(async () => {
      c = await startCarillon(kind);
      app = await c.createApp();
    });
    after(() => c.stop());

    test('the publishable key registers a subscription; the same endpoint again updates it', async () => {
      const endpoint = 'https://push.example.net/send/abc';
      const first = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, sub(endpoint, { userId: 'u1', tags: { plan: 'pro' } })) });
      assert.equal(first.status, 201);
      assert.match(first.body.id, /^sub_/);
      const again = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, sub(endpoint, { userId: 'u2', tags: { plan: 'free' }, language: 'de', timezone: 'Europe/Berlin' })) });
      assert.equal(again.status, 200);
      assert.equal(again.body.id, first.body.id);
      const got = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${first.body.id}`, { key: app.secretKey });
      assert.equal(got.body.userId, 'u2');
      assert.deepEqual(got.body.tags, { plan: 'free' });
      assert.equal(got.body.language, 'de');
      assert.equal(got.body.timezone, 'Europe/Berlin');
      assert.equal(got.body.endpoint, endpoint);
      assert.equal(got.body.channel, 'webpush');
      assert.equal(got.body.keys, undefined, 'keys are not handed back');
      const tags = await c.ctx.store.db.selectFrom('subscription_tags').selectAll().where('app_id', '=', app.id).execute();
      assert.deepEqual(tags.map((t) => [t.key, t.value]), [['plan', 'free']]);
    });

    test('invalid keys and endpoints are refused with their code, and nothing is stored', async () => {
      const before = await count();
      const cases: [unknown, string, RegExp][] = [
        [sub('https://push.example.net/1', { keys: { p256dh: Buffer.alloc(65, 4).toString('base64url'), auth: browserKeys().auth } }), 'invalid_subscription_keys', /not a point on P-256/],
        [sub('https://push.example.net/2', { keys: { p256dh: browserKeys().p256dh, auth: randomBytes(15).toString('base64url') } }), 'invalid_subscription_keys', /16 bytes/],
        [sub('https://push.example.net/3', { keys: { p256dh: 'not base64!', auth: browserKeys().auth } }), 'invalid_subscription_keys', /base64url/],
        [sub('not a url'), 'endpoint_rejected', /endpoint/],
        [sub('https://user:pw@push.example.net/x'), 'endpoint_rejected', /endpoint/],
        [sub('https://push.example.net/x', { timezone: 'Mars/Olympus' }), 'invalid_request', /time zone/],
        [sub('https://push.example.net/x', { tags: { ['k'.repeat(65)]: 'v' } }), 'invalid_request', /tags/],
        [sub('https://push.example.net/x', { tags: { '': 'v' } }), 'invalid_request', /tags/],
        [{ channel: 'sms', endpoint: 'https://push.example.net/x', keys: browserKeys() }, 'unsupported_channel', /channel "sms" is not supported/],
        [{ channel: 'webpush', endpoint: 'https://push.example.net/x' }, 'invalid_request', /keys.p256dh is required/],
      ];
      for (const [body, code, detail] of cases) {
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.code, code);
        assert.match(res.body.detail, detail);
      }
      assert.equal(await count(), before);
    });

    test('the SSRF guard refuses plain http and private hosts unless the operator allows them', async () => {
      const strict = await startCarillon(kind, { allowPrivateEndpoints: false });
      try {
        const a = await strict.createApp();
        for (const endpoint of ['http://push.example.net/x', 'https://127.0.0.1/x', 'https://10.1.2.3/x', 'https://[::1]/x', 'https://169.254.169.254/latest', 'https://localhost/x']) {
          const res = await strict.api('POST', `/v1/apps/${a.id}/subscriptions`, { key: a.publishableKey, body: sub(endpoint) });
          assert.equal(res.status, 400, endpoint);
          assert.equal(res.body.code, 'endpoint_rejected', endpoint);
        }
        const ok = await strict.api('POST', `/v1/apps/${a.id}/subscriptions`, { key: a.publishableKey, body: sub('https://fcm.googleapis.com/fcm/send/abc') });
        assert.equal(ok.status, 201);
      } finally {
        await strict.stop();
      }
    });

    test('list pages by cursor in creation order; delete removes', async () => {
      const other = await c.createApp('other');
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await c.api('POST', `/v1/apps/${other.id}/subscriptions`, { key: other.secretKey, body: sub(`https://push.example.net/p/${i}`) });
        ids.push(res.body.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await c.api('GET', `/v1/apps/${other.id}/subscriptions?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { key: other.secretKey });
        assert.equal(res.status, 200);
        assert.ok(res.body.data.length <= 3);
        seen.push(...res.body.data.map((s: { id: string }) => s.id));
        cursor = res.body.next;
      } while (cursor);
      assert.deepEqual(seen, ids);
      const badCursor = await c.api('GET', `/v1/apps/${other.id}/subscriptions?cursor=zzz`, { key: other.secretKey });
      assert.equal(badCursor.body.code, 'invalid_cursor');

      const del = await c.api('DELETE', `/v1/apps/${other.id}/subscriptions/${ids[0]}`, { key: other.publishableKey });
      assert.equal(del.status, 204);
      const gone = await c.api('GET', `/v1/apps/${other.id}/subscriptions/${ids[0]}`, { key: other.secretKey });
      assert.equal(gone.status, 404);
      assert.equal(gone.body.code, 'subscription_not_found');
      const foreign = await c.api('DELETE', `/v1/apps/${app.id}/subscriptions/${ids[1]}`, { key: app.secretKey });
      assert.equal(foreign.status, 404, 'a subscription of another app is not found through this one');
      const list = await c.api('GET', `/v1/apps/${other.id}/subscriptions`, { key: other.publishableKey });
      assert.equal(list.status, 403, 'the publishable key cannot list subscribers');
    });
  });
}
