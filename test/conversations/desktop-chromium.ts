/**
 * Chromium on the test's desktop (the private notification daemon's bus), on the SDK's
 * site, its push service stubbed to a sink subscription: what the conversation tests in
 * Chromium share. `deliver` does what Chromium's push service would do with a message the
 * sink received: hand it to the site's service worker (DevTools' deliverPushMessage).
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import type { NotificationDaemon } from '../support/notification-daemon.ts';
import type { SinkSubscription } from '../support/push-sink.ts';
import { startSdkSite, stubPushService, type SdkSite } from '../support/sdk-site.ts';
import { eventually } from '../support/eventually.ts';

export interface DesktopChromium {
  site: SdkSite;
  browser: LaunchedChromium;
  /** The site's page, loaded, with the SDK's `Carillon` defined. */
  page: Page;
  deliver(plaintext: string): Promise<void>;
}

export async function openDesktopChromium(desktop: NotificationDaemon, apiUrl: string, sub: SinkSubscription): Promise<DesktopChromium> {
  const site = await startSdkSite(apiUrl);
  const browser = await launchChromium({ env: { DBUS_SESSION_BUS_ADDRESS: desktop.address } });
  await browser.context.addInitScript({ content: stubPushService({ endpoint: sub.endpoint, keys: sub.keys }) });
  await browser.context.grantPermissions(['notifications'], { origin: site.url });
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  await page.goto(`${site.url}/`);
  await page.waitForFunction(() => (window as any).Carillon !== undefined);
  const cdp = await browser.context.newCDPSession(page);
  const registrations = new Map<string, string>();
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
    for (const r of e.registrations) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
  });
  await cdp.send('ServiceWorker.enable');
  const deliver = async (plaintext: string) => {
    const registrationId = await eventually(() => registrations.get(`${site.url}/`) ?? assert.fail('no service worker registration yet'));
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: site.url, registrationId, data: plaintext });
  };
  return { site, browser, page, deliver };
}
