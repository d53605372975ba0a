import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

for (const kind of STORES) {
  describe(`apps and API keys (${kind})`, () => {
    let c: TestCarillon;
    before(async () => {
      c = await startCarillon(kind);
    });
    after(() => c.stop());

    test('the admin key creates an app with VAPID keys, a secret key and a publishable key', async () => {
      const res = await c.api('POST', '/v1/apps', { key: c.adminKey, body: { name: 'Shop', vapidSubject: 'mailto:ops@shop.example' } });
      assert.equal(res.status, 201);
      assert.match(res.body.id, /^app_/);
      assert.equal(Buffer.from(res.body.vapidPublicKey, 'base64url').length, 65);
      assert.match(res.body.secretKey, /^crl_sk_/);
      assert.match(res.body.publishableKey, /^crl_pk_/);
      assert.equal(res.body.vapidSubject, 'mailto:ops@shop.example');

      const got = await c.api('GET', `/v1/apps/${res.body.id}`, { key: res.body.secretKey });
      assert.equal(got.status, 200);
      assert.equal(got.body.vapidPublicKey, res.body.vapidPublicKey);
      assert.equal(got.body.secretKey, undefined, 'keys are shown once, at creation');
    });

    test('keys and VAPID private keys are not stored in clear', async () => {
      const app = await c.createApp();
      const keys = await c.ctx.store.db.selectFrom('api_keys').selectAll().where('app_id', '=', app.id).execute();
      assert.equal(keys.length, 2);
      for (const k of keys) {
        assert.notEqual(k.key_hash, app.secretKey);
        assert.notEqual(k.key_hash, app.publishableKey);
      }
      const row = await c.ctx.store.db.selectFrom('apps').selectAll().where('id', '=', app.id).executeTakeFirstOrThrow();
      assert.match(row.vapid_private_key, /^v1\./, 'sealed form');
      assert.equal(Buffer.from(row.vapid_private_key.split('.')[3]!, 'base64url').length, 43, 'ciphertext of the 43-char base64url key');
    });

    test('a missing, malformed or unknown key is refused as problem+json', async () => {
      const none = await c.api('POST', '/v1/apps', { body: { name: 'x' } });
      assert.equal(none.status, 401);
      assert.equal(none.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(none.body.code, 'unauthorized');
      const bad = await c.api('POST', '/v1/apps', { body: { name: 'x' }, headers: { authorization: 'Basic abc' } });
      assert.equal(bad.body.code, 'unauthorized');
      const unknown = await c.api('POST', '/v1/apps', { key: 'crl_sk_nope', body: { name: 'x' } });
      assert.equal(unknown.status, 401);
      assert.equal(unknown.body.code, 'invalid_api_key');
    });

    test('an app key cannot create apps, reach another app, or (publishable) send', async () => {
      const a = await c.createApp('a');
      const b = await c.createApp('b');
      const create = await c.api('POST', '/v1/apps', { key: a.secretKey, body: { name: 'x' } });
      assert.equal(create.status, 403);
      assert.equal(create.body.code, 'forbidden');
      const cross = await c.api('GET', `/v1/apps/${b.id}/subscriptions`, { key: a.secretKey });
      assert.equal(cross.status, 403);
      const send = await c.api('POST', `/v1/apps/${a.id}/notifications`, { key: a.publishableKey, body: { to: { all: true }, title: 'hi' } });
      assert.equal(send.status, 403);
      assert.equal(send.body.code, 'forbidden');
      const count = await c.ctx.store.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 0, 'nothing stored');
    });

    test('bad input is a 400 with the field, and unknown apps are 404', async () => {
      const res = await c.api('POST', '/v1/apps', { key: c.adminKey, body: { name: '' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'invalid_request');
      assert.equal(res.body.errors[0].field, 'body.name');
      const subject = await c.api('POST', '/v1/apps', { key: c.adminKey, body: { name: 'x', vapidSubject: 'mailto:me@localhost' } });
      assert.equal(subject.status, 400);
      assert.equal(subject.body.code, 'invalid_vapid_subject');
      const missing = await c.api('GET', '/v1/apps/app_missing', { key: c.adminKey });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'app_not_found');
      const json = await c.api('POST', '/v1/apps', { key: c.adminKey, body: '{"name":', headers: { 'content-type': 'application/json' } });
      assert.equal(json.status, 400);
      assert.equal(json.body.code, 'invalid_json');
      const route = await c.api('GET', '/v2/nothing');
      assert.equal(route.status, 404);
      assert.equal(route.body.code, 'not_found');
    });

    test('health, readiness, metrics and the OpenAPI document are public', async () => {
      assert.equal((await c.api('GET', '/healthz')).status, 200);
      assert.deepEqual((await c.api('GET', '/readyz')).body, { status: 'ready' });
      const metrics = await c.api('GET', '/metrics');
      assert.match(metrics.body, /carillon_queue_jobs\{state="waiting"\}/);
      const openapi = await c.api('GET', '/openapi.json');
      assert.equal(openapi.status, 200);
      assert.ok(openapi.body.paths['/v1/apps/{appId}/notifications'].post);
    });
  });
}
