/**
 * The browser SDK and its service worker in Debian's Chromium, against a listening Carillon:
 * the soft-ask and the opt-in events; a notification sent through the API, encrypted,
 * delivered to a push service, decrypted and handed to the service worker (CDP's
 * ServiceWorker.deliverPushMessage) as Chromium's push service would; what the desktop
 * shows; a real click on an action and a real dismissal, through the desktop's notification
 * server (test/support/notification-daemon.ts); and what reaches the server's counts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CDPSession, Page } from 'playwright-core';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { startNotificationDaemon, type NotificationDaemon } from '../support/notification-daemon.ts';
import { startPushSink, type PushSink, type SinkSubscription } from '../support/push-sink.ts';
import { startSdkSite, stubPushService, type SdkSite } from '../support/sdk-site.ts';
import { eventually } from '../support/eventually.ts';

const SOFT_ASK = { title: 'Get a message when your order ships?', body: 'Only shipping news, nothing else.', accept: 'Yes, notify me', dismiss: 'Not now', delay: 7 * 86_400_000 };

// A step that waits for the browser fails after this long instead of hanging the run.
describe('browser SDK and service worker in Chromium', { timeout: 180_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let sink: PushSink;
  let desktop: NotificationDaemon;
  let site: SdkSite;
  let browser: LaunchedChromium;
  let page: Page;
  let cdp: CDPSession;
  let browserSub: SinkSubscription;
  const registrations = new Map<string, string>();

  const init = (p: Page, options: Record<string, unknown>) =>
    p.evaluate(async (o) => {
      const w = window as any;
      w.carillon = await w.Carillon.init(o);
    }, { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl, ...options });
  const prompt = (p: Page) => p.evaluate(() => (window as any).carillon.prompt() as Promise<string>);
  const optIn = async () => (await c.api('GET', `/v1/apps/${app.id}/stats/opt-in`, { key: app.secretKey })).body;
  const counts = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/notifications/${id}`, { key: app.secretKey })).body.counts;
  const subscriptions = async () => (await c.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey })).body.data as any[];
  const shownInBrowser = () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration('/');
      return (await registration!.getNotifications()).map((n) => ({
        title: n.title,
        body: n.body,
        icon: n.icon,
        image: (n as any).image,
        badge: n.badge,
        tag: n.tag,
        actions: (n as any).actions.map((a: any) => ({ action: a.action, title: a.title, icon: a.icon })),
        data: n.data,
      }));
    });

  /** Sends through the API; returns the id and the message as the push service received it, decrypted. */
  const send = async (body: Record<string, unknown>) => {
    const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['user-42'] }, ...body } });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const done = await c.waitCompleted(app.id, app.secretKey, res.body.id);
    assert.equal(done.counts.delivered, 1, JSON.stringify(done.counts));
    const received = sink.received.find((r) => (r.json as any)?.notification?.data?.id === res.body.id);
    assert.ok(received, 'the push service received it');
    return { id: res.body.id as string, plaintext: received.plaintext };
  };
  /** What Chromium's push service would do with the message: hand it to the service worker. */
  const deliver = async (plaintext: string) => {
    const registrationId = await eventually(() => registrations.get(`${site.url}/`) ?? assert.fail('no service worker registration yet'));
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: site.url, registrationId, data: plaintext });
  };

  before(async () => {
    desktop = await startNotificationDaemon();
    c = await startCarillon('sqlite');
    apiUrl = await c.app.listen({ port: 0, host: '127.0.0.1' });
    app = await c.createApp('Shop');
    sink = await startPushSink();
    browserSub = sink.subscribe();
    site = await startSdkSite(apiUrl);
    browser = await launchChromium({ env: { DBUS_SESSION_BUS_ADDRESS: desktop.address } });
    await browser.context.addInitScript({ content: stubPushService({ endpoint: browserSub.endpoint, keys: browserSub.keys }) });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as any).Carillon !== undefined);
    cdp = await browser.context.newCDPSession(page);
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
      for (const r of e.registrations) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await cdp.send('ServiceWorker.enable');
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await sink?.close();
    await c?.stop();
    await desktop?.close();
  });

  test('the soft-ask shows the site’s words; "not now" snoozes it for the delay; "yes" leads to the browser’s prompt and a subscription', async () => {
    await init(page, { softAsk: SOFT_ASK });
    // The site's server proves the signed-in user's id (identity verification is on).
    await page.evaluate(async (hash) => {
      const carillon = (window as any).carillon;
      await carillon.setUserId('user-42', hash);
      await carillon.setTags({ plan: 'pro' });
    }, userIdHash(app, 'user-42'));

    const first = prompt(page);
    const dialog = page.getByRole('dialog', { name: SOFT_ASK.title });
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Only shipping news, nothing else\./);
    await dialog.getByRole('button', { name: 'Not now' }).click();
    assert.equal(await first, 'dismissed');
    assert.equal(await prompt(page), 'snoozed', 'not asked again before the delay');
    assert.equal(await page.getByRole('dialog').count(), 0);

    // Eight days later, on the page's clock.
    await page.clock.setSystemTime(Date.now() + 8 * 86_400_000);
    const second = prompt(page);
    await dialog.waitFor();
    // The person will answer Allow in the browser's prompt: headless Chromium has no prompt
    // to click, and answers with the permission the profile holds.
    await browser.context.grantPermissions(['notifications'], { origin: site.url });
    await dialog.getByRole('button', { name: 'Yes, notify me' }).click();
    assert.equal(await second, 'subscribed');

    assert.deepEqual(await page.evaluate(() => (window as any).__subscribeKeys), [app.vapidPublicKey], 'subscribed with the app’s VAPID key');
    const [sub, ...others] = await subscriptions();
    assert.equal(others.length, 0);
    assert.equal(sub.endpoint, browserSub.endpoint);
    assert.equal(sub.userId, 'user-42');
    assert.deepEqual(sub.tags, { plan: 'pro' });
    assert.match(sub.language, /^[a-z]{2}/);
    const state = await page.evaluate(() => (window as any).carillon.getState());
    assert.equal(state.permission, 'granted');
    assert.equal(state.subscribed, true);
    assert.equal(state.subscriptionId, sub.id);

    await eventually(async () =>
      assert.deepEqual(await optIn(), {
        counts: { prompt_shown: 2, softask_dismissed: 1, softask_accepted: 1, permission_granted: 1, permission_denied: 0, subscribed: 1, unsubscribed: 0 },
        optInRate: 0.5,
      }),
    );
  });

  test('a user id the server cannot verify is refused, and the one before is kept', async () => {
    const refused = await page.evaluate(async () => {
      try {
        await (window as any).carillon.setUserId('someone-else', 'ab'.repeat(32));
        return null;
      } catch (err) {
        return (err as { code?: string }).code;
      }
    });
    assert.equal(refused, 'identity_not_verified');
    assert.equal((await page.evaluate(() => (window as any).carillon.getState())).userId, 'user-42');
    const [sub] = await subscriptions();
    assert.equal(sub.userId, 'user-42', 'the server kept the proven user id');
  });

  let order: { id: string; plaintext: string };
  test('the service worker shows the Declarative Web Push message: title, body, icon, image, badge, tag and actions', async () => {
    order = await send({
      title: 'Your order has shipped',
      body: 'Arriving Thursday',
      url: `${site.url}/orders/1001`,
      icon: `${site.url}/icon.png`,
      image: `${site.url}/parcel.png`,
      badge: `${site.url}/badge.png`,
      tag: 'order-1001',
      actions: [
        { action: 'track', title: 'Track parcel', url: `${site.url}/orders/1001/track`, icon: `${site.url}/truck.png` },
        { action: 'help', title: 'Get help', url: `${site.url}/help` },
      ],
      data: { orderId: '1001' },
    });
    await deliver(order.plaintext);

    const onDesktop = await desktop.waitFor((n) => n.summary === 'Your order has shipped');
    assert.match(onDesktop.body, /Arriving Thursday/);
    assert.deepEqual(onDesktop.actions.map((a) => a.label).slice(0, 2), ['Track parcel', 'Get help']);
    const [sub] = await subscriptions();
    assert.deepEqual(await shownInBrowser(), [
      {
        title: 'Your order has shipped',
        body: 'Arriving Thursday',
        icon: `${site.url}/icon.png`,
        image: `${site.url}/parcel.png`,
        badge: `${site.url}/badge.png`,
        tag: 'order-1001',
        actions: [
          { action: 'track', title: 'Track parcel', icon: `${site.url}/truck.png` },
          { action: 'help', title: 'Get help', icon: '' },
        ],
        data: {
          orderId: '1001',
          id: order.id,
          _carillon: { navigate: `${site.url}/orders/1001`, actions: { track: `${site.url}/orders/1001/track`, help: `${site.url}/help` }, subscriptionId: sub.id },
        },
      },
    ]);
    await eventually(async () => assert.equal((await counts(order.id)).displayed, 1));
  });

  let later: { id: string; plaintext: string };
  test('the same notification id delivered twice is shown once', async () => {
    await deliver(order.plaintext);
    // A later message, shown after the copy was handled: the copy had its chance to show.
    later = await send({ title: 'Rate your purchase', url: `${site.url}/orders/1001/track` });
    await deliver(later.plaintext);
    await desktop.waitFor((n) => n.summary === 'Rate your purchase');
    await eventually(async () => assert.equal((await counts(later.id)).displayed, 1));
    assert.equal(desktop.shown.filter((n) => n.summary === 'Your order has shipped').length, 1, 'one desktop notification, no replacement');
    assert.deepEqual((await shownInBrowser()).map((n) => n.title).sort(), ['Rate your purchase', 'Your order has shipped']);
    assert.equal((await counts(order.id)).displayed, 1);
  });

  test('a click on an action opens its own page and reports clicked with the action; closing by the click is no dismissal', async () => {
    const onDesktop = await desktop.waitFor((n) => n.summary === 'Your order has shipped');
    const opened = browser.context.waitForEvent('page', (p) => p.url() === `${site.url}/orders/1001/track`);
    desktop.click(onDesktop, 'Track parcel');
    await opened;
    await eventually(async () => assert.equal((await counts(order.id)).clicked, 1));
    const rows = await c.ctx.store.db.selectFrom('events').select(['type', 'action']).where('notification_id', '=', order.id).execute();
    assert.deepEqual(rows.map((r) => [r.type, r.action]).sort(), [['clicked', 'track'], ['displayed', null]]);
    assert.equal(desktop.shown.find((n) => n.id === onDesktop.id)?.closed, 'by-browser', 'the worker closed it');
    assert.deepEqual((await shownInBrowser()).map((n) => n.title), ['Rate your purchase']);
  });

  test('a click on a notification whose page is open focuses that page instead of opening another; a dismissal is reported', async () => {
    const pagesBefore = browser.context.pages().length;
    desktop.click(await desktop.waitFor((n) => n.summary === 'Rate your purchase'));
    await eventually(async () => assert.equal((await counts(later.id)).clicked, 1));
    // The worker opens or focuses before it reports: had it opened a page, it would be here.
    assert.equal(browser.context.pages().length, pagesBefore);

    const dismissable = await send({ title: 'Back in stock' });
    await deliver(dismissable.plaintext);
    desktop.dismiss(await desktop.waitFor((n) => n.summary === 'Back in stock'));
    await eventually(async () => assert.equal((await counts(dismissable.id)).dismissed, 1));
    const got = await counts(dismissable.id);
    assert.deepEqual([got.displayed, got.clicked, got.dismissed], [1, 0, 1]);
    assert.equal((await counts(order.id)).dismissed, 0);
    assert.equal((await counts(later.id)).dismissed, 0);
  });

  test('pushsubscriptionchange registers the new subscription with the same user and tags, and removes the old one', async () => {
    const [old] = await subscriptions();
    const next = sink.subscribe();
    const worker = browser.context.serviceWorkers().find((w) => w.url().startsWith(site.url));
    assert.ok(worker, 'the service worker runs');
    // Chromium has no way to make its push service rotate a subscription: the event is
    // dispatched in the worker, carrying the new subscription as Firefox's does.
    // (Source text: a function would carry helpers tsx adds, unknown in the worker.)
    await worker.evaluate(`(() => {
      const s = ${JSON.stringify(next)};
      const event = new ExtendableEvent('pushsubscriptionchange');
      const newSubscription = { endpoint: s.endpoint, toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: s.keys }) };
      Object.defineProperty(event, 'newSubscription', { value: newSubscription });
      self.dispatchEvent(event);
    })()`);
    const [renewed] = await eventually(async () => {
      const subs = await subscriptions();
      assert.deepEqual(subs.map((s) => s.endpoint), [next.endpoint]);
      return subs;
    });
    assert.equal(renewed.userId, 'user-42');
    assert.deepEqual(renewed.tags, { plan: 'pro' });
    assert.equal((await c.api('GET', `/v1/apps/${app.id}/subscriptions/${old.id}`, { key: app.secretKey })).status, 404);
  });

  test('unsubscribe ends the subscription on the server and is reported', async () => {
    await page.evaluate(() => (window as any).carillon.unsubscribe());
    assert.deepEqual(await subscriptions(), []);
    const state = await page.evaluate(() => (window as any).carillon.getState());
    assert.equal(state.subscribed, false);
    assert.equal(state.userId, 'user-42', 'the user id stays for a later subscription');
    await eventually(async () => assert.equal((await optIn()).counts.unsubscribed, 1));
  });

  test('a denied permission is reported, and lowers the opt-in rate', async () => {
    const other = await startSdkSite(apiUrl);
    try {
      const p = await browser.context.newPage();
      await p.goto(`${other.url}/`);
      await p.waitForFunction(() => (window as any).Carillon !== undefined);
      await init(p, {});
      // Without a soft-ask the browser's prompt comes at once; headless Chromium answers an
      // ungranted prompt with "denied", as a person clicking Block would.
      assert.equal(await prompt(p), 'denied');
      assert.equal(await prompt(p), 'denied', 'a denied permission is not asked again');
      await eventually(async () => {
        const got = await optIn();
        assert.equal(got.counts.prompt_shown, 3);
        assert.equal(got.counts.permission_denied, 1);
        assert.equal(got.optInRate, 1 / 3);
      });
      await p.close();
    } finally {
      await other.close();
    }
  });
});
