import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';

/** What a newcomer and a stranger meet first. HTTP-layer behaviour: the same on every store. */
describe('first contact', () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;

  before(async () => {
    c = await startCarillon('sqlite');
    app = await c.createApp();
  });
  after(() => c.stop());

  test('PushSubscription.toJSON() posted as it is registers a Web Push subscription', async () => {
    const ecdh = createECDH('prime256v1');
    const keys = { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') };
    for (const expirationTime of [null, 1_900_000_000_000]) {
      const endpoint = `https://fcm.googleapis.com/fcm/send/${randomBytes(8).toString('hex')}`;
      // Exactly the members, in the order, that Chromium's toJSON() gives.
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { endpoint, expirationTime, keys } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const got = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${res.body.id}`, { key: app.secretKey });
      assert.equal(got.body.channel, 'webpush');
      assert.equal(got.body.endpoint, endpoint);
    }
    const noChannel = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { token: 'ab'.repeat(32) } });
    assert.equal(noChannel.status, 400);
    assert.equal(noChannel.body.code, 'invalid_request');
    assert.equal(noChannel.body.errors[0].pointer, '#/channel');
  });

  // A stranger meets the key check first, and a known path names its methods.

  test('without a key, or with a bad one, a request gets 401 before its body is looked at', async () => {
    const url = `/v1/apps/${app.id}/notifications`;
    for (const body of [{ nonsense: true }, { to: { all: 'yes' } }, '{"not json']) {
      for (const key of [undefined, 'crl_sk_not_a_real_key']) {
        const res = await c.api('POST', url, { ...(key ? { key } : {}), body, headers: { 'content-type': 'application/json' } });
        assert.equal(res.status, 401, `${key} ${JSON.stringify(body)}`);
        assert.equal(res.body.code, key ? 'invalid_api_key' : 'unauthorized');
        assert.equal(res.body.errors, undefined, 'no schema details for a stranger');
      }
    }
    const list = await c.api('GET', `/v1/apps/${app.id}/subscriptions?limit=abc`, {});
    assert.equal(list.status, 401, 'query validation comes after the key check too');
    const wrongApp = await c.api('POST', `/v1/apps/app_other/notifications`, { key: app.secretKey, body: { nonsense: true } });
    assert.equal(wrongApp.status, 403);
  });

  test('an unsupported method on a known path is 405 with Allow; an unknown path is 404', async () => {
    const cases: [string, string, string][] = [
      ['DELETE', '/v1/apps', 'GET, HEAD, POST'],
      ['PUT', `/v1/apps/${app.id}/subscriptions`, 'GET, HEAD, OPTIONS, POST'],
      ['POST', `/v1/apps/${app.id}/notifications/ntf_1`, 'GET, HEAD'],
      ['PATCH', '/healthz', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await c.api(method, url, { key: app.secretKey });
      assert.equal(res.status, 405, `${method} ${url}`);
      assert.equal(res.headers.allow, allow);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, 'method_not_allowed');
    }
    const unknown = await c.api('GET', '/v1/nothing-here', { key: app.secretKey });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'not_found');
  });
});
