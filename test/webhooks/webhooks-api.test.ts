import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, type TestCarillon } from '../support/carillon.ts';
import { startWebhookCarillon } from './harness.ts';

for (const kind of STORES) {
  describe(`webhook endpoints API (${kind})`, () => {
    let c: TestCarillon;
    let strict: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let strictApp: Awaited<ReturnType<TestCarillon['createApp']>>;
    before(async () => {
      c = await startWebhookCarillon(kind);
      app = await c.createApp();
      // The operator's allowance for private endpoints off, as in production.
      strict = await startWebhookCarillon(kind, { allowPrivateEndpoints: false });
      strictApp = await strict.createApp();
    });
    after(async () => {
      await c.stop();
      await strict.stop();
    });
    const base = () => `/v1/apps/${app.id}/webhooks`;

    test('create shows the secret once; get, list and patch never show it', async () => {
      const res = await c.api('POST', base(), { key: app.secretKey, body: { url: 'https://hooks.example.com/in', events: ['notification.clicked'], description: 'CRM' } });
      assert.equal(res.status, 201);
      assert.match(res.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.equal(Buffer.from(res.body.secret.slice(6), 'base64').length, 32);
      assert.deepEqual(res.body.events, ['notification.clicked']);
      assert.equal(res.body.enabled, true);
      assert.equal(res.body.disabledReason, null);
      assert.equal(res.headers.location, `${base()}/${res.body.id}`);
      const got = await c.api('GET', `${base()}/${res.body.id}`, { key: app.secretKey });
      assert.equal(got.status, 200);
      assert.equal(got.body.secret, undefined);
      assert.equal(got.body.description, 'CRM');
      const patched = await c.api('PATCH', `${base()}/${res.body.id}`, { key: app.secretKey, body: { events: 'all', enabled: false, batchSize: 50 } });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.events, 'all');
      assert.equal(patched.body.enabled, false);
      assert.equal(patched.body.batchSize, 50);
      assert.equal(patched.body.secret, undefined);
      // Sealed at rest: the stored column is not the secret.
      const row = await c.ctx.store.db.selectFrom('webhook_endpoints').select('secret').where('id', '=', res.body.id).executeTakeFirstOrThrow();
      assert.ok(!row.secret.includes(res.body.secret.slice(6)));
      assert.match(row.secret, /^v1\./);
    });

    test('the list pages by cursor, oldest first', async () => {
      const other = await c.createApp('paged');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await c.api('POST', `/v1/apps/${other.id}/webhooks`, { key: other.secretKey, body: { url: `https://hooks.example.com/${i}` } })).body.id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: any = await c.api('GET', `/v1/apps/${other.id}/webhooks?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { key: other.secretKey });
        assert.equal(res.status, 200);
        assert.ok(res.body.data.length <= 2);
        seen.push(...res.body.data.map((w: any) => w.id));
        cursor = res.body.next;
      } while (cursor);
      assert.deepEqual(seen, ids);
      const bad = await c.api('GET', `/v1/apps/${other.id}/webhooks?cursor=nonsense`, { key: other.secretKey });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'invalid_cursor');
    });

    test('an unknown event type or field is refused and nothing is stored', async () => {
      const before = await c.api('GET', base(), { key: app.secretKey });
      for (const body of [{ url: 'https://h.example.com/', events: ['notification.exploded'] }, { url: 'https://h.example.com/', secret: 'whsec_mine' }, { url: 'https://h.example.com/', events: [] }, { url: 'https://h.example.com/', batchSize: 0 }]) {
        const res = await c.api('POST', base(), { key: app.secretKey, body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.code, 'invalid_request');
      }
      const afterList = await c.api('GET', base(), { key: app.secretKey });
      assert.equal(afterList.body.data.length, before.body.data.length);
    });

    test('without the allowance, http and non-public addresses are refused at creation with a pointer', async () => {
      for (const [url, reason] of [
        ['http://hooks.example.com/', 'not_https'],
        ['https://127.0.0.1/', 'private_address'],
        ['https://[::1]/', 'private_address'],
        ['https://169.254.169.254/latest', 'private_address'],
        ['https://10.1.2.3/', 'private_address'],
        ['https://localhost/', 'private_address'],
        ['https://0x7f.1/', 'private_address'],
        ['https://user:pw@hooks.example.com/', 'credentials'],
      ] as const) {
        const res = await strict.api('POST', `/v1/apps/${strictApp.id}/webhooks`, { key: strictApp.secretKey, body: { url } });
        assert.equal(res.status, 400, url);
        assert.equal(res.body.code, 'webhook_url_rejected', url);
        assert.equal(res.body.reason, reason, url);
        assert.equal(res.body.pointer, '#/url');
      }
      const created = await strict.api('POST', `/v1/apps/${strictApp.id}/webhooks`, { key: strictApp.secretKey, body: { url: 'https://hooks.example.com/in' } });
      assert.equal(created.status, 201);
      const patched = await strict.api('PATCH', `/v1/apps/${strictApp.id}/webhooks/${created.body.id}`, { key: strictApp.secretKey, body: { url: 'https://192.168.1.1/' } });
      assert.equal(patched.status, 400);
      assert.equal(patched.body.code, 'webhook_url_rejected');
      const kept = await strict.api('GET', `/v1/apps/${strictApp.id}/webhooks/${created.body.id}`, { key: strictApp.secretKey });
      assert.equal(kept.body.url, 'https://hooks.example.com/in');
      const list = await strict.api('GET', `/v1/apps/${strictApp.id}/webhooks`, { key: strictApp.secretKey });
      assert.equal(list.body.data.length, 1);
    });

    test('another app cannot see an endpoint; delete removes it; unknown ids are webhook_not_found', async () => {
      const created = await c.api('POST', base(), { key: app.secretKey, body: { url: 'https://hooks.example.com/del' } });
      const other = await c.createApp('other');
      const peek = await c.api('GET', `/v1/apps/${other.id}/webhooks/${created.body.id}`, { key: other.secretKey });
      assert.equal(peek.status, 404);
      assert.equal(peek.body.code, 'webhook_not_found');
      const cross = await c.api('GET', `${base()}/${created.body.id}`, { key: other.secretKey });
      assert.equal(cross.status, 403);
      assert.equal((await c.api('DELETE', `${base()}/${created.body.id}`, { key: app.secretKey })).status, 204);
      for (const [method, path, body] of [
        ['GET', '', undefined],
        ['DELETE', '', undefined],
        ['PATCH', '', { enabled: true }],
        ['POST', '/rotate-secret', {}],
        ['GET', '/messages', undefined],
        ['POST', '/replay', { messageId: 'msg_x' }],
      ] as const) {
        const res = await c.api(method, `${base()}/${created.body.id}${path}`, { key: app.secretKey, ...(body ? { body } : {}) });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.body.code, 'webhook_not_found');
      }
    });

    test('replay takes a message id or a range, not both, not neither, not a range backwards', async () => {
      const created = await c.api('POST', base(), { key: app.secretKey, body: { url: 'https://hooks.example.com/replay' } });
      const url = `${base()}/${created.body.id}/replay`;
      for (const [body, pointer] of [
        [{}, '#/from'],
        [{ from: '2026-01-01T00:00:00Z' }, '#/to'],
        [{ messageId: 'msg_a', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }, '#/messageId'],
        [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, '#/to'],
      ] as const) {
        const res = await c.api('POST', url, { key: app.secretKey, body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.code, 'invalid_replay_range');
        assert.equal(res.body.pointer, pointer);
      }
      const missing = await c.api('POST', url, { key: app.secretKey, body: { messageId: 'msg_nope' } });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'webhook_message_not_found');
      const empty = await c.api('POST', url, { key: app.secretKey, body: { from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' } });
      assert.equal(empty.status, 202);
      assert.deepEqual(empty.body, { replayed: 0 });
    });

    test('the routes need the secret key', async () => {
      const res = await c.api('GET', base(), { key: app.publishableKey });
      assert.equal(res.status, 403);
      const none = await c.api('GET', base());
      assert.equal(none.status, 401);
    });
  });
}
