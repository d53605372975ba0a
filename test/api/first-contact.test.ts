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
});
