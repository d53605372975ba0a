import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { FirefoxProfile, type FirefoxConnection } from './firefox-client.ts';

describe('push service: a notification through Carillon to its own push service and a Firefox-like client', () => {
  let c: TestCarillon;
  let wsUrl: string;
  let browser: FirefoxConnection;

  before(async () => {
    c = await startCarillon('sqlite', { pushService: true });
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
      body: { channel: 'webpush', endpoint: sub.endpoint, keys: sub.keys, userId: 'ff-user' },
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
});
