import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { encodeBase64url } from '../../src/protocol/webpush/base64url.ts';
import { encryptWebPush } from '../../src/protocol/webpush/ece.ts';
import { carillonEndpointToken, signDeliveryRef } from '../../src/providers/webpush/delivery-ref.ts';
import { DEPLOYMENTS, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { FirefoxProfile, type FirefoxConnection } from './firefox-client.ts';

for (const kind of DEPLOYMENTS) {
  describe(`push service on ${kind}: a notification through Carillon to its own push service and a Firefox-like client`, () => {
    let c: TestCarillon;
    let wsUrl: string;
    let browser: FirefoxConnection;

    before(async () => {
      c = await startCarillon(kind, { pushService: true });
      await c.app.listen({ port: 0, host: '127.0.0.1' });
      wsUrl = `ws://127.0.0.1:${(c.app.server.address() as AddressInfo).port}/push/ws`;
      browser = await new FirefoxProfile().connect(wsUrl);
    });
    after(async () => {
      await browser.close();
      await c.stop();
    });

    test('the app subscribes with its VAPID key, sends, and the browser decrypts the Declarative Web Push JSON', async () => {
      const app = await c.createApp('push service e2e');
      // pushManager.subscribe({ applicationServerKey: app.vapidPublicKey }): a restricted subscription.
      const sub = await browser.subscribe(app.vapidPublicKey);
      const registered = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, {
        key: app.publishableKey,
        body: withUserProof(app, { channel: 'webpush', endpoint: sub.endpoint, keys: sub.keys, userId: 'ff-user' }),
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.body));

      const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
        key: app.secretKey,
        body: { to: { userIds: ['ff-user'] }, title: 'Delivered by Carillon', body: 'through its own push service', url: 'https://shop.example/orders/1', ttl: 600, topic: 'order-1' },
      });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const id = sent.body.id as string;

      const n = await browser.nextNotification(20_000);
      assert.equal(n.channelID, sub.channelID);
      assert.deepEqual(JSON.parse(n.plaintext), {
        web_push: 8030,
        notification: {
          title: 'Delivered by Carillon',
          body: 'through its own push service',
          navigate: 'https://shop.example/orders/1',
          data: { id },
        },
      });

      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.delivered, 1, JSON.stringify(status.counts));
      assert.equal(status.counts.failed, 0);
    });

    test('a message the browser cannot decrypt is acked 101 and counted failed, not delivered', async () => {
      const app = await c.createApp('undecryptable');
      const sub = await browser.subscribe(app.vapidPublicKey);
      // Registered with an auth secret that is not the browser's: Carillon encrypts for keys
      // the browser does not hold, as with keys corrupted on the way to the site.
      const wrongAuth = encodeBase64url(randomBytes(16));
      const registered = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, {
        key: app.publishableKey,
        body: withUserProof(app, { channel: 'webpush', endpoint: sub.endpoint, keys: { p256dh: sub.keys.p256dh, auth: wrongAuth }, userId: 'wrong-keys' }),
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['wrong-keys'] }, title: 'Never shown' } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const id = sent.body.id as string;

      const n = await browser.nextNotification(20_000);
      assert.equal(n.code, 101, 'the browser could not decrypt it');
      assert.equal(n.plaintext, '');
      await c.waitCompleted(app.id, app.secretKey, id);
      const counts = await eventually(async () => {
        const status = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}`, { key: app.secretKey });
        assert.equal(status.body.counts.failed, 1, JSON.stringify(status.body.counts));
        return status.body.counts;
      });
      assert.equal(counts.delivered, 0);
      assert.equal(counts.pending, 0);
      const failures = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}/failures`, { key: app.secretKey });
      assert.deepEqual(
        failures.body.data.map((f: any) => ({ subscriptionId: f.subscriptionId, outcome: f.outcome })),
        [{ subscriptionId: registered.body.id, outcome: 'undecryptable' }],
      );
    });

    test('a push with a forged delivery reference, or one made for another endpoint, cannot charge a failure to a notification', async () => {
      const app = await c.createApp('forged reference');
      const good = await browser.subscribe();
      const registered = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, {
        key: app.publishableKey,
        body: withUserProof(app, { channel: 'webpush', endpoint: good.endpoint, keys: good.keys, userId: 'forged' }),
      });
      assert.equal(registered.status, 201, JSON.stringify(registered.body));
      const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['forged'] }, title: 'Shown' } });
      const id = sent.body.id as string;
      assert.equal((await browser.nextNotification(20_000)).code, 100);
      assert.equal((await c.waitCompleted(app.id, app.secretKey, id)).counts.delivered, 1);

      // Anyone holding the endpoint (it is unrestricted) posts a body for other keys, naming
      // the notification and subscription with a made-up tag.
      const body = encryptWebPush({ plaintext: Buffer.from('{}'), uaPublic: good.uaPublic, authSecret: randomBytes(16) });
      const forged = `${id}.${registered.body.id}.${encodeBase64url(randomBytes(16))}`;
      const res = await fetch(good.endpoint, { method: 'POST', headers: { ttl: '60', 'content-encoding': 'aes128gcm', 'carillon-delivery': forged }, body: new Uint8Array(body) });
      assert.equal(res.status, 201);
      assert.equal((await browser.nextNotification(20_000)).code, 101);
      await eventually(async () => assert.equal((await c.ctx.store.db.selectFrom('push_messages').select('id').execute()).length, 0, 'the ack was handled'));

      // A genuine reference, but made for another endpoint (as another push service would
      // have seen it), replayed here: it holds only for the endpoint it was made for.
      const elsewhere = `https://push.example.net/push/${randomBytes(32).toString('base64url')}`;
      const replayed = signDeliveryRef(c.ctx.secrets, id, registered.body.id, carillonEndpointToken(elsewhere)!);
      const again = await fetch(good.endpoint, { method: 'POST', headers: { ttl: '60', 'content-encoding': 'aes128gcm', 'carillon-delivery': replayed }, body: new Uint8Array(body) });
      assert.equal(again.status, 201);
      assert.equal((await browser.nextNotification(20_000)).code, 101);
      await eventually(async () => assert.equal((await c.ctx.store.db.selectFrom('push_messages').select('id').execute()).length, 0, 'the ack was handled'));

      const status = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}`, { key: app.secretKey });
      assert.deepEqual({ delivered: status.body.counts.delivered, failed: status.body.counts.failed }, { delivered: 1, failed: 0 });
    });
  });
}
