/**
 * An alert and its Update in a real Firefox, through Carillon's own push service: the
 * Update carries the alert's tag, so the browser shows one notification, the Update's, in
 * place of the alert's; the Cancel then replaces it with the all-clear.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { firstTab, launchFirefox, newFirefoxProfile, type FirefoxProfile } from '../support/firefox.ts';
import { startSdkSite, type SdkSite } from '../support/sdk-site.ts';
import { eventually } from '../support/eventually.ts';

const alertXml = (identifier: string, msgType: string, sent: string, headline: string, references = '') =>
  `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${identifier}</identifier><sender>ops@city.example</sender><sent>${sent}</sent>` +
  `<status>Actual</status><msgType>${msgType}</msgType><scope>Public</scope>${references}` +
  (msgType === 'Cancel'
    ? ''
    : `<info><category>Safety</category><event>Gas leak</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>` +
      `<headline>${headline}</headline><description>Rue A.</description><area><areaDesc>Centre</areaDesc><circle>48.85,2.35 2</circle></area></info>`) +
  `</alert>`;

describe('an alert replaced by its Update and Cancel in a real Firefox', { timeout: 240_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let site: SdkSite;
  let profile: FirefoxProfile;
  let browser: Browser;
  let page: Page;

  const shown = () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration('/');
      return (await registration!.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
    });
  const post = async (xml: string) => {
    const res = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: xml, headers: { 'content-type': 'application/cap+xml' } });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await c.waitCompleted(app.id, app.secretKey, res.body.notification.id)).counts.delivered, 1);
    return res.body;
  };

  before(async () => {
    c = await startCarillon('sqlite', { pushService: true });
    await c.app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(c.app.server.address() as AddressInfo).port}`;
    app = await c.createApp('firefox alerts');
    site = await startSdkSite(apiUrl);
    profile = newFirefoxProfile();
    browser = await launchFirefox(`${apiUrl.replace('http', 'ws')}/push/ws`, profile);
    page = await firstTab(browser);
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => (window as any).Carillon !== undefined);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await c?.stop();
    profile?.remove();
  });

  test('the Update takes the alert’s place, and the Cancel the Update’s', async () => {
    const result = await page.evaluate(async ({ userIdHash, ...options }) => {
      const w = window as any;
      w.carillon = await w.Carillon.init(options);
      await w.carillon.setUserId('resident', userIdHash);
      return w.carillon.prompt();
    }, { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl, userIdHash: userIdHash(app, 'resident') });
    assert.equal(result, 'subscribed');
    const located = await c.api('PUT', `/v1/apps/${app.id}/users/resident`, { key: app.secretKey, body: { location: { lat: 48.851, lon: 2.351 } } });
    assert.ok(located.status < 300, JSON.stringify(located.body));

    const first = await post(alertXml('GAS-1', 'Alert', '2026-12-01T10:00:00-00:00', 'Gas leak: stay indoors'));
    await eventually(async () => assert.deepEqual((await shown()).map((n) => [n.title, n.tag]), [['Gas leak: stay indoors', first.id]]));
    await post(alertXml('GAS-1U', 'Update', '2026-12-01T10:10:00-00:00', 'Gas leak: leave Rue A', '<references>ops@city.example,GAS-1,2026-12-01T10:00:00-00:00</references>'));
    await eventually(async () => assert.deepEqual((await shown()).map((n) => [n.title, n.tag]), [['Gas leak: leave Rue A', first.id]]));
    await post(alertXml('GAS-1C', 'Cancel', '2026-12-01T10:20:00-00:00', '', '<references>ops@city.example,GAS-1U,2026-12-01T10:10:00-00:00</references>'));
    await eventually(async () => assert.deepEqual((await shown()).map((n) => [n.title, n.body, n.tag]), [['Gas leak: leave Rue A', 'All clear: this alert has been cancelled.', first.id]]));
  });
});
