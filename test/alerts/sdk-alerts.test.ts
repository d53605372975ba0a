/**
 * The SDK's civic alert calls in Debian's Chromium, against a listening Carillon: zones,
 * test alerts, and the position shared for alerts, asked of navigator.geolocation only
 * when the site calls shareLocation(). What is asserted is what the server holds.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { startSdkSite, type SdkSite } from '../support/sdk-site.ts';

// Where the browser says it is: inside the A.2 thunderstorm's polygon (38.47, -119.93).
const POSITION = { latitude: 38.47, longitude: -119.93, accuracy: 25 };

describe('browser SDK: civic alert choices, in Chromium', { timeout: 180_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let site: SdkSite;
  let browser: LaunchedChromium;
  let page: Page;

  const callSdk = (script: string) =>
    page.evaluate(async (body) => {
      try {
        return { value: await new Function('carillon', `return (async () => { ${body} })()`)((window as any).carillon) };
      } catch (err) {
        return { code: (err as { code?: string }).code ?? String(err) };
      }
    }, script);
  const geolocationCalls = () => page.evaluate(() => (window as any).geolocationCalls as number);
  const shared = () => c.ctx.store.db.selectFrom('user_alert_locations').selectAll().where('app_id', '=', app.id).where('external_id', '=', 'walker').executeTakeFirst();

  before(async () => {
    c = await startCarillon('sqlite');
    apiUrl = await c.app.listen({ port: 0, host: '127.0.0.1' });
    app = await c.createApp('City');
    site = await startSdkSite(apiUrl);
    browser = await launchChromium();
    // Counts every question put to navigator.geolocation, to show the SDK asks only when told to.
    await browser.context.addInitScript({
      content: `window.geolocationCalls = 0; const g = navigator.geolocation; const orig = g.getCurrentPosition.bind(g);
        g.getCurrentPosition = (...a) => { window.geolocationCalls++; return orig(...a); };`,
    });
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as any).Carillon !== undefined);
    await page.evaluate(
      async ({ options, hash }) => {
        const w = window as any;
        w.carillon = await w.Carillon.init(options);
        await w.carillon.setUserId('walker', hash);
      },
      { options: { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl }, hash: userIdHash(app, 'walker') },
    );
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await c?.stop();
  });

  test('zones and the test-alert opt-in are set for the signed-in user; the browser’s position is not asked', async () => {
    const set = await callSdk(`return carillon.alerts.setZones([{ valueName: 'SAME', value: '006109' }, { valueName: 'postcode', value: '95616' }])`);
    assert.deepEqual(set.value?.zones, [{ valueName: 'POSTCODE', value: '95616' }, { valueName: 'SAME', value: '006109' }], JSON.stringify(set));
    const testers = await callSdk(`return carillon.alerts.setTestAlerts(true)`);
    assert.equal(testers.value?.testAlerts, true);
    const rows = await c.ctx.store.db.selectFrom('user_alert_zones').select('zone').where('app_id', '=', app.id).where('external_id', '=', 'walker').orderBy('zone').execute();
    assert.deepEqual(rows.map((r) => r.zone), ['POSTCODE:95616', 'SAME:006109']);
    assert.ok(await c.ctx.store.db.selectFrom('alert_testers').select('external_id').where('app_id', '=', app.id).where('external_id', '=', 'walker').executeTakeFirst());
    assert.equal((await callSdk(`return carillon.alerts.setZones('SAME:1')`)).code, 'invalid_request');
    assert.equal(await geolocationCalls(), 0, 'nothing asked the browser for its position');
    assert.equal(await shared(), undefined);
  });

  test('shareLocation() asks the browser once and sends the position; forgetLocation() withdraws it', async () => {
    await browser.context.grantPermissions(['geolocation'], { origin: site.url });
    await browser.context.setGeolocation(POSITION);
    const res = await callSdk(`return carillon.alerts.shareLocation()`);
    assert.deepEqual([res.value?.location?.lat, res.value?.location?.lon, res.value?.location?.accuracy], [38.47, -119.93, 25], JSON.stringify(res));
    assert.equal(await geolocationCalls(), 1);
    const row = await shared();
    assert.deepEqual([row?.lat, row?.lon, row?.accuracy_m], [38.47, -119.93, 25]);
    const read = await callSdk(`return carillon.alerts.get()`);
    assert.equal(read.value?.location?.lat, 38.47);
    await callSdk(`return carillon.alerts.forgetLocation()`);
    assert.equal((await callSdk(`return carillon.alerts.get()`)).value?.location, null);
    assert.equal(await shared(), undefined);
  });

  test('without the user’s permission nothing is sent', async () => {
    // Another origin of the same site (127.0.0.1, also a secure context), never granted the position.
    page = await browser.context.newPage();
    await page.goto(`${site.url.replace('localhost', '127.0.0.1')}/`);
    await page.waitForFunction(() => (window as any).Carillon !== undefined);
    await page.evaluate(
      async ({ options, hash }) => {
        const w = window as any;
        w.carillon = await w.Carillon.init(options);
        await w.carillon.setUserId('walker', hash);
      },
      { options: { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl }, hash: userIdHash(app, 'walker') },
    );
    const res = await callSdk(`return carillon.alerts.shareLocation({ timeout: 3000 })`);
    assert.ok(res.code === 'location_denied' || res.code === 'location_unavailable', JSON.stringify(res));
    assert.equal(await geolocationCalls(), 1, 'asked, and refused');
    assert.equal(await shared(), undefined);
  });
});
