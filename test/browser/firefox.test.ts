/**
 * The whole path in a real Firefox: the SDK on a page subscribes through Carillon's own push
 * service, the API sends, Carillon encrypts and posts to the push service, the push service
 * hands the message to Firefox over its WebSocket protocol, Firefox decrypts it, Carillon's
 * service worker shows it and reports it displayed to the server. A body Firefox cannot
 * decrypt comes back as ack 101 and is counted failed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { decodeBase64url, encodeBase64url } from '../../src/protocol/webpush/base64url.ts';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { firstTab, launchFirefox, newFirefoxProfile, type FirefoxProfile } from '../support/firefox.ts';
import { startSdkSite, type SdkSite } from '../support/sdk-site.ts';
import { eventually } from '../support/eventually.ts';

describe('Carillon in a real Firefox, through its own push service', { timeout: 240_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let site: SdkSite;
  let profile: FirefoxProfile;
  let browser: Browser;
  let page: Page;
  let subscriptionId: string;
  let endpoint: string;

  const open = async () => {
    browser = await launchFirefox(`${apiUrl.replace('http', 'ws')}/push/ws`, profile);
    page = await firstTab(browser);
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as any).Carillon !== undefined);
  };
  const shown = () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration('/');
      // `actions` is missing where Firefox shows no action buttons (see showsActions).
      return (await registration!.getNotifications()).map((n) => ({ title: n.title, body: n.body, icon: n.icon, tag: n.tag, actions: (n as any).actions?.map((a: any) => ({ action: a.action, title: a.title })), id: (n.data as any)?.id }));
    });
  // Whether this Firefox shows action buttons: it has `Notification.maxActions` only where it
  // does (ESR 140 keeps them behind dom.webnotifications.actions.enabled, off by default).
  const showsActions = () => page.evaluate(() => ((Notification as any).maxActions ?? 0) > 0);
  const send = async (body: Record<string, unknown>) => {
    const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['ff-user'] }, ...body } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  };
  const acks = async (code: number) => {
    const m = new RegExp(`carillon_push_service_acks_total\\{code="${code}"\\} (\\d+)`).exec((await c.api('GET', '/metrics')).body);
    return m ? Number(m[1]) : 0;
  };

  before(async () => {
    c = await startCarillon('sqlite', { pushService: true });
    await c.app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(c.app.server.address() as AddressInfo).port}`;
    app = await c.createApp('firefox');
    site = await startSdkSite(apiUrl);
    profile = newFirefoxProfile();
    await open();
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await c?.stop();
    profile?.remove();
  });

  test('the SDK subscribes through the push service and registers with Carillon', async () => {
    const result = await page.evaluate(async ({ userIdHash, ...options }) => {
      const w = window as any;
      w.carillon = await w.Carillon.init(options);
      await w.carillon.setUserId('ff-user', userIdHash);
      return w.carillon.prompt();
    }, { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl, userIdHash: userIdHash(app, 'ff-user') });
    assert.equal(result, 'subscribed');
    const state = await page.evaluate(() => (window as any).carillon.getState());
    assert.equal(state.subscribed, true);
    subscriptionId = state.subscriptionId;
    const sub = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${subscriptionId}`, { key: app.secretKey });
    assert.equal(sub.status, 200);
    assert.equal(sub.body.userId, 'ff-user');
    assert.ok(sub.body.endpoint.startsWith(`${apiUrl}/push/`), `an endpoint of Carillon's push service: ${sub.body.endpoint}`);
    endpoint = sub.body.endpoint;
    const channel = await c.ctx.store.db.selectFrom('push_channels').select('app_server_key').executeTakeFirstOrThrow();
    assert.equal(channel.app_server_key?.replace(/=+$/, ''), app.vapidPublicKey, "subscribed with the app's VAPID key");
  });

  test('a notification sent through the API is decrypted and shown by Firefox, with the actions it can show, and counted displayed', async () => {
    const id = await send({ title: 'Order shipped', body: 'Arriving Thursday', icon: `${site.url}/icon.png`, image: `${site.url}/image.png`, tag: 'order-1', actions: [{ action: 'track', title: 'Track', url: `${site.url}/track` }, { action: 'help', title: 'Help' }] });
    const done = await c.waitCompleted(app.id, app.secretKey, id);
    assert.equal(done.counts.delivered, 1);
    const list = await eventually(async () => {
      const l = await shown();
      assert.equal(l.length, 1);
      return l;
    });
    // The buttons as the user sees them: both where Firefox shows actions, none where it
    // does not (the notification itself is shown all the same).
    const actions = (await showsActions()) ? [{ action: 'track', title: 'Track' }, { action: 'help', title: 'Help' }] : undefined;
    assert.deepEqual(list[0], { title: 'Order shipped', body: 'Arriving Thursday', icon: `${site.url}/icon.png`, tag: 'order-1', actions, id });
    // Firefox implements no notification images (Notification.image); the Chromium test checks them.
    await eventually(async () => assert.equal((await c.api('GET', `/v1/apps/${app.id}/notifications/${id}`, { key: app.secretKey })).body.counts.displayed, 1));
    assert.equal(await acks(100), 1);
  });

  test('a message sent while Firefox is closed arrives when it comes back', async () => {
    await browser.close();
    const id = await send({ title: 'While you were away', body: 'Stored and forwarded' });
    const done = await c.waitCompleted(app.id, app.secretKey, id);
    assert.equal(done.counts.delivered, 1, 'the push service accepted it for the offline browser');
    const pending = await c.ctx.store.db.selectFrom('push_messages').select('id').execute();
    assert.equal(pending.length, 1, 'kept until Firefox reconnects');

    await open();
    const list = await eventually(async () => {
      const l = await shown();
      assert.ok(l.some((n) => n.id === id));
      return l;
    });
    assert.equal(list.find((n) => n.id === id)!.body, 'Stored and forwarded');
    await eventually(async () => assert.equal((await c.ctx.store.db.selectFrom('push_messages').select('id').execute()).length, 0));
  });

  test('a tampered body is acked 101 (decryption failed), counted failed and not shown', async () => {
    const unsigned = await fetch(endpoint, { method: 'POST', headers: { ttl: '60' } });
    assert.equal(unsigned.status, 401, 'the subscription is restricted to the app key: an unsigned push is refused');

    // Sent through the API while Firefox is away; the body is then altered where the push
    // service keeps it, as if corrupted on the way.
    await browser.close();
    const id = await send({ title: 'Tampered', body: 'must not be shown' });
    assert.equal((await c.waitCompleted(app.id, app.secretKey, id)).counts.delivered, 1, 'the push service accepted it');
    const stored = await c.ctx.store.db.selectFrom('push_messages').select(['id', 'data']).executeTakeFirstOrThrow();
    const body = decodeBase64url(stored.data!);
    body[body.length - 5]! ^= 0xff;
    await c.ctx.store.db.updateTable('push_messages').set({ data: encodeBase64url(body) }).where('id', '=', stored.id).execute();

    await open();
    await eventually(async () => assert.equal(await acks(101), 1));
    const counts = await eventually(async () => {
      const status = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}`, { key: app.secretKey });
      assert.equal(status.body.counts.failed, 1, JSON.stringify(status.body.counts));
      return status.body.counts;
    });
    assert.equal(counts.delivered, 0);
    assert.equal(counts.displayed, 0);
    assert.ok(!(await shown()).some((n) => n.id === id || n.title === 'Tampered'));
  });
});
