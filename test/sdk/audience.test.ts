/**
 * The browser SDK's audience calls in Debian's Chromium, against a listening Carillon: the
 * signed-in user's language, time zone and sessions, custom attributes, tracked events
 * queued while the server cannot be reached, the ready-made preference form, and a
 * sign-out that clears the user id on the server. What is asserted is what the server
 * holds afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { startSdkSite, stubPushService, type SdkSite } from '../support/sdk-site.ts';
import { eventually } from '../support/eventually.ts';

// What the browser reports as its own: a Canadian French Chromium in Toronto.
const LOCALE = 'fr-CA';
const TIME_ZONE = 'America/Toronto';

describe('browser SDK: the signed-in user, in Chromium', { timeout: 180_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let sink: PushSink;
  let site: SdkSite;
  let browser: LaunchedChromium;
  let page: Page;
  let browserSub: ReturnType<PushSink['subscribe']>;

  /** Loads the site's page afresh and starts the SDK on it, as every page view does. */
  const load = async (userId?: string) => {
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as any).Carillon !== undefined);
    await page.evaluate(
      async ({ options, userId, hash }) => {
        const w = window as any;
        w.carillon = await w.Carillon.init(options);
        if (userId !== undefined) await w.carillon.setUserId(userId, hash);
      },
      { options: { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl }, userId, hash: userId === undefined ? undefined : userIdHash(app, userId) },
    );
  };
  const user = async (externalId: string) => c.ctx.store.db.selectFrom('users').selectAll().where('app_id', '=', app.id).where('external_id', '=', externalId).executeTakeFirst();
  const eventsOf = async (externalId: string) => {
    const u = await user(externalId);
    if (!u) return [];
    const rows = await c.ctx.store.db.selectFrom('user_events').select(['name', 'properties', 'event_id']).where('user_seq', '=', u.seq).orderBy('seq').execute();
    return rows.map((r) => ({ name: r.name, properties: JSON.parse(r.properties) }));
  };
  const subscriptions = async () => (await c.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey })).body.data as any[];
  const callSdk = (script: string) =>
    page.evaluate(async (body) => {
      try {
        return { value: await new Function('carillon', `return (async () => { ${body} })()`)((window as any).carillon) };
      } catch (err) {
        return { code: (err as { code?: string }).code ?? String(err) };
      }
    }, script);

  before(async () => {
    c = await startCarillon('sqlite');
    apiUrl = await c.app.listen({ port: 0, host: '127.0.0.1' });
    app = await c.createApp('Shop');
    sink = await startPushSink();
    browserSub = sink.subscribe();
    site = await startSdkSite(apiUrl);
    browser = await launchChromium({ locale: LOCALE, timezoneId: TIME_ZONE });
    await browser.context.addInitScript({ content: stubPushService({ endpoint: browserSub.endpoint, keys: browserSub.keys }) });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await sink?.close();
    await c?.stop();
  });

  test('a tracked event is kept in the browser while the server cannot be reached, and delivered once, later', async () => {
    await load('shopper');
    await browser.context.setOffline(true);
    assert.deepEqual(await callSdk(`await carillon.track('added_to_cart', { sku: 'A-1', price: 12.5, gift: false, note: null });`), { value: undefined }, 'queued, not failed');
    assert.deepEqual(await eventsOf('shopper'), []);
    await browser.context.setOffline(false);

    // The next page view sends what waits.
    await load();
    await eventually(async () => assert.deepEqual(await eventsOf('shopper'), [{ name: 'added_to_cart', properties: { sku: 'A-1', price: 12.5, gift: false, note: null } }]));
    assert.deepEqual(await callSdk(`await carillon.track('checkout.started');`), { value: undefined });
    await eventually(async () => assert.deepEqual((await eventsOf('shopper')).map((e) => e.name), ['added_to_cart', 'checkout.started']));
    // Loaded again: nothing is left to send twice.
    await load();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await eventsOf('shopper')).length, 2);

    assert.deepEqual(await callSdk(`await carillon.track('1bad name');`), { code: 'invalid_event_name' }, 'a name the server would refuse fails at the call');
  });

  test('the preference form shows a labelled checkbox per category and saves each change on the server', async () => {
    await load('reader');
    await page.evaluate(async () => {
      const div = document.createElement('div');
      div.id = 'prefs';
      document.body.append(div);
      await (window as any).carillon.showPreferences(div, { title: 'Email me about', labels: { promotions: 'Offers and sales' } });
    });
    const form = page.getByRole('group', { name: 'Email me about' });
    const promotions = form.getByRole('checkbox', { name: 'Offers and sales' });
    const orders = form.getByRole('checkbox', { name: 'Orders' });
    assert.equal(await promotions.isChecked(), true);
    assert.equal(await orders.isChecked(), true);

    await promotions.click();
    await form.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const stored = await c.api('GET', `/v1/apps/${app.id}/users/reader/preferences`, { key: app.secretKey });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.promotions, false);
    assert.equal(stored.body.orders, true);
    assert.equal(await promotions.isChecked(), false);

    // The server refuses to turn security off: the box goes back, and the page says so.
    const security = form.getByRole('checkbox', { name: 'Security' });
    await security.click();
    await form.getByRole('status').filter({ hasText: 'Not saved' }).waitFor();
    assert.equal(await security.isChecked(), true);
    assert.equal((await c.api('GET', `/v1/apps/${app.id}/users/reader/preferences`, { key: app.secretKey })).body.security, true);

    assert.deepEqual(await callSdk(`return await carillon.setPreferences({ promotions: true });`), { value: { ...stored.body, promotions: true } });
    assert.deepEqual(await callSdk(`return await carillon.getPreferences();`), { value: { ...stored.body, promotions: true } });
  });

  test('after a sign-out the subscription is registered with userId null, and the server drops the user id; later registrations leave the server’s own alone', async () => {
    await browser.context.grantPermissions(['notifications'], { origin: site.url });
    await load('leaving');
    assert.deepEqual(await callSdk(`return await carillon.prompt();`), { value: 'subscribed' });
    const [sub] = await subscriptions();
    assert.equal(sub.userId, 'leaving');

    assert.deepEqual(await callSdk(`await carillon.setUserId(null);`), { value: undefined });
    assert.equal((await subscriptions())[0].userId, null, 'signed out on the server too');

    // The site's server then names the user itself (secret key); the browser's next
    // registration (a tags change) carries no user id, so that one stays.
    const set = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: { channel: 'webpush', endpoint: browserSub.endpoint, keys: browserSub.keys, userId: 'set-by-server' } });
    assert.ok(set.status === 200 || set.status === 201, JSON.stringify(set.body));
    await load();
    assert.deepEqual(await callSdk(`await carillon.setTags({ plan: 'free' });`), { value: undefined });
    const [after] = await subscriptions();
    assert.deepEqual([after.userId, after.tags], ['set-by-server', { plan: 'free' }]);
  });
});
