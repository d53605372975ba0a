/**
 * The authenticator's and the examples' routes without a browser: the examples are off
 * unless asked for, and the VAPID key goes only to a holder of a live enrollment token,
 * which asking does not spend.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { enroll, type TestApp } from '../mfa/fixture.ts';
import { newDevice } from '../mfa/device.ts';

describe('authenticator routes', () => {
  let c: TestCarillon;
  let sink: PushSink;
  let app: TestApp;
  let other: TestApp;

  before(async () => {
    c = await startCarillon('sqlite');
    sink = await startPushSink();
    app = await c.createApp();
    other = await c.createApp();
  });
  after(async () => {
    await c.stop();
    await sink.close();
  });

  test('the example login page and its backend are not served unless the examples are turned on', async () => {
    assert.equal(c.ctx.config.examples, false);
    for (const [method, url] of [['GET', '/examples/login/'], ['GET', '/examples/login/login.js'], ['POST', '/examples/login/api/sign-in'], ['POST', '/examples/login/api/enroll']] as const) {
      const res = await c.api(method, url, method === 'POST' ? { body: { userId: 'ana' } } : {});
      assert.equal(res.status, 404, `${method} ${url}`);
    }
    const page = await c.api('GET', '/authenticator/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(page.headers['cache-control'], 'no-cache');
  });

  test('the VAPID key for a live enrollment token only; asking does not spend the token', async () => {
    const e = await c.api('POST', `/v1/apps/${app.id}/mfa/enrollments`, { key: app.secretKey, body: { userId: 'ana' } });
    const key = await c.api('POST', '/authenticator/api/push-key', { body: { app: app.id, token: e.body.token } });
    assert.equal(key.status, 200, JSON.stringify(key.body));
    assert.deepEqual(key.body, { vapidPublicKey: app.vapidPublicKey });
    // Another app's id with this token: refused, and it names nothing of the other app.
    const elsewhere = await c.api('POST', '/authenticator/api/push-key', { body: { app: other.id, token: e.body.token } });
    assert.deepEqual([elsewhere.status, elsewhere.body.code], [401, 'enrollment_token_invalid']);
    const extra = await c.api('POST', '/authenticator/api/push-key', { body: { app: app.id, token: e.body.token, userId: 'x' } });
    assert.equal(extra.status, 400);

    // The token still enrolls; once used it gives no key.
    const device = await newDevice();
    const s = sink.subscribe();
    const enrolled = await c.api('POST', `/v1/apps/${app.id}/mfa/devices`, { body: { token: e.body.token, publicKey: device.publicJwk, name: 'Phone', subscription: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } } });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    const used = await c.api('POST', '/authenticator/api/push-key', { body: { app: app.id, token: e.body.token } });
    assert.deepEqual([used.status, used.body.code], [401, 'enrollment_token_invalid']);
    // A second device through the fixture, to be sure the route did not disturb enrollment.
    await enroll(c, sink, app, 'ana', 'Tablet');
  });
});
