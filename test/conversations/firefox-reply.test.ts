/**
 * Replying from Firefox, end to end, through Carillon's own push service: the SDK on a site
 * subscribes, a notification with `reply` is pushed, decrypted and shown by Carillon's
 * service worker on the desktop; the user clicks it, the reply page opens in a new tab, the
 * user types a question and sends it, the built-in assistant answers from the app's
 * knowledge base, and the answer shows on the page and arrives as the next push of the same
 * thread (same tag, replacing the first).
 *
 * How the notification is clicked: Firefox shows it through its system alert backend
 * (`alerts.useSystemBackend`), which on Linux is libnotify speaking the Desktop
 * Notifications Specification to the notification server on the session bus, here the
 * suite's own (test/support/notification-daemon.ts, given as DBUS_SESSION_BUS_ADDRESS).
 * The test clicks the notification there: the server emits ActionInvoked(id, "default"),
 * as GNOME's or KDE's does when the user clicks a notification, libnotify hands it to
 * Firefox's alert listener, and Firefox fires a trusted `notificationclick`, with the right
 * to open a window, as for a person's click. Headless Firefox takes that path too; without
 * a notification server ESR 153's showNotification fails (NS_ERROR_FAILURE), so the other
 * Firefox tests keep the in-browser alert window, which no test can click.
 *
 * Why it holds on ESR 140 and on ESR 153: the pref, the libnotify backend and the two
 * D-Bus messages (Notify, ActionInvoked "default") are the same in both, and nothing here
 * reaches into Firefox's chrome: no privileged remote access (both keep it behind
 * --remote-allow-system-access) and no alert window markup, which may change between
 * versions. Checked on Debian's 140.12 and 153.8. What differs is what the user sees:
 * ESR 140 shows no action buttons (no Notification.maxActions; NotificationEvent.action is
 * undefined), ESR 153 shows a Reply button. A click on a notification with no page of its
 * own reaches the reply page on both (sdk/src/render.ts clickTarget).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { firstTab, launchFirefox, newFirefoxProfile, type FirefoxProfile } from '../support/firefox.ts';
import { startSdkSite, type SdkSite } from '../support/sdk-site.ts';
import { eventually } from '../support/eventually.ts';
import { startNotificationDaemon, type DesktopNotification, type NotificationDaemon } from '../support/notification-daemon.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';

interface Shown {
  title: string;
  body: string;
  tag: string;
  id: string | undefined;
  reply: { conversationId: string; token: string; page: string } | undefined;
}

describe('replying from Firefox on the reply page, through Carillon’s push service', { timeout: 240_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let site: SdkSite;
  let profile: FirefoxProfile;
  let desktop: NotificationDaemon;
  let browser: Browser;
  let siteTab: Page;
  let replyTab: Page;
  const consoleErrors: string[] = [];

  const shown = (): Promise<Shown[]> =>
    siteTab.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration('/');
      return (await registration!.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, id: (n.data as any)?.id, reply: (n.data as any)?.reply }));
    });
  const text = (selector: string) => replyTab.$eval(selector, (el) => ((el as HTMLElement).hidden ? '' : (el.textContent ?? '')));
  /** The tab the service worker opened on the thread's reply page (found by its path: the page takes the token out of the address). */
  const replyPage = async (conversationId: string): Promise<Page> => {
    const target = await browser.waitForTarget((t) => t.url().startsWith(`${apiUrl}/reply/${conversationId}`), { timeout: 20_000 });
    const tab = (await target.page())!;
    tab.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') consoleErrors.push(m.text());
    });
    return tab;
  };
  const clicks = (notificationId: string) => c.ctx.store.db.selectFrom('events').select('action').where('notification_id', '=', notificationId).where('type', '=', 'clicked').execute();
  const messagesOnPage = () => replyTab.$$eval('#messages > li', (lis) => lis.map((li) => [li.querySelector('.author')!.textContent, li.querySelector('.text')!.textContent]));

  before(async () => {
    c = await startCarillon('sqlite', { pushService: true });
    await c.app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(c.app.server.address() as AddressInfo).port}`;
    // The reply page's links are made from publicUrl: this server, as the browser reaches it.
    c.ctx.config.publicUrl = apiUrl;
    app = await c.createApp('Parcel shop');
    assert.equal((await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: DELIVERY_KB })).status, 200);
    site = await startSdkSite(apiUrl);
    profile = newFirefoxProfile();
    desktop = await startNotificationDaemon();
    browser = await launchFirefox(`${apiUrl.replace('http', 'ws')}/push/ws`, profile, { desktopBus: desktop.address });
    siteTab = await firstTab(browser);
    await siteTab.goto(`${site.url}/`);
    await siteTab.waitForFunction(() => (window as any).Carillon !== undefined);
    const result = await siteTab.evaluate(async ({ userIdHash, ...options }) => {
      const w = window as any;
      w.carillon = await w.Carillon.init(options);
      await w.carillon.setUserId('ff-user', userIdHash);
      return w.carillon.prompt();
    }, { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl, userIdHash: userIdHash(app, 'ff-user') });
    assert.equal(result, 'subscribed');
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await c?.stop();
    await desktop?.close();
    profile?.remove();
  });

  test('a click on the notification opens its reply page: the user asks, the built-in assistant answers on the page and as the next push of the thread', async () => {
    const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
      key: app.secretKey,
      body: { to: { userIds: ['ff-user'] }, title: 'Your parcel ships today', body: 'Questions? Reply here.', reply: { placeholder: 'Ask us anything', assistant: 'builtin' } },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const first = await eventually(async () => (await shown()).find((n) => n.id === sent.body.id) ?? assert.fail('not shown yet'));
    const reply = first.reply!;
    assert.equal(first.tag, reply.conversationId, 'the thread is the tag');
    assert.equal(reply.page, `${apiUrl}/reply/${reply.conversationId}#${reply.token}`);
    const onDesktop = await desktop.waitFor((n) => n.summary === 'Your parcel ships today');
    assert.equal(onDesktop.body, 'Questions? Reply here.');

    // The notification has no page of its own: a click on it opens the thread's reply page.
    desktop.click(onDesktop);
    replyTab = await replyPage(reply.conversationId);
    await eventually(async () => assert.deepEqual(await clicks(sent.body.id), [{ action: null }], 'reported as a click on the notification'));
    await replyTab.waitForSelector('body[data-ready="true"]');
    assert.equal(replyTab.url(), `${apiUrl}/reply/${reply.conversationId}`, 'the token is taken out of the address bar');
    assert.equal(await text('h1'), 'Your parcel ships today');
    assert.equal(await replyTab.$eval('#text', (el) => (el as HTMLTextAreaElement).placeholder), 'Ask us anything');
    assert.equal(await replyTab.$eval('label[for="text"]', (el) => el.textContent), 'Your reply');
    assert.deepEqual(await messagesOnPage(), []);

    await replyTab.type('#text', 'How much does delivery cost?');
    await replyTab.click('#send');
    await eventually(async () => assert.deepEqual(await messagesOnPage(), [
      ['You', 'How much does delivery cost?'],
      ['Assistant', 'Delivery is free from €30, €4.90 below.'],
    ]), 60_000);
    assert.equal(await text('#status'), '', 'no longer waiting');
    assert.equal(await text('#problem'), '');

    // The answer is also the thread's next push: shown by the worker under the same tag, in place of the first.
    const answer = await eventually(async () => (await shown()).find((n) => n.tag === reply.conversationId && n.id !== sent.body.id) ?? assert.fail('no answer pushed yet'));
    assert.equal((await desktop.waitFor((n) => n.body === 'Delivery is free from €30, €4.90 below.')).summary, 'Your parcel ships today', 'the answer is on the desktop');
    assert.equal(answer.body, 'Delivery is free from €30, €4.90 below.');
    assert.equal(answer.title, 'Your parcel ships today');
    assert.equal(answer.reply?.conversationId, reply.conversationId, 'the answer can be replied to, in the same thread');
    assert.deepEqual((await shown()).filter((n) => n.tag === reply.conversationId).map((n) => n.id), [answer.id], 'the answer replaced the first');
    const thread = await c.api('GET', `/v1/apps/${app.id}/conversations/${reply.conversationId}`, { key: app.secretKey });
    assert.deepEqual(thread.body.messages.map((m: any) => [m.seq, m.author]), [[1, 'user'], [2, 'assistant']]);

    // A reload keeps the thread (the token is kept by the tab, not in the address); once closed, the page says so.
    assert.equal((await c.api('POST', `/v1/apps/${app.id}/conversations/${reply.conversationId}/close`, { key: app.secretKey })).status, 200);
    await replyTab.reload();
    await replyTab.waitForSelector('body[data-ready="true"]');
    assert.equal(await text('#problem'), 'This conversation is closed.');
    assert.equal(await replyTab.$eval('#reply', (el) => (el as HTMLElement).hidden), true, 'no reply form');
    assert.deepEqual(consoleErrors.filter((m) => /Content-Security-Policy|Content Security Policy/i.test(m)), [], 'nothing blocked by the page’s policy');
  });

  test('with a page of its own, a click on the notification opens that page where Firefox shows the Reply button, and the reply page where it shows none', async () => {
    // ESR 153 shows action buttons (Notification.maxActions is 2); ESR 140 shows none and has no maxActions.
    const showsButtons = await siteTab.evaluate(() => ((Notification as any).maxActions ?? 0) > 0);
    const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
      key: app.secretKey,
      body: { to: { userIds: ['ff-user'] }, title: 'Your order has shipped', url: `${site.url}/orders/1001`, reply: { placeholder: 'Ask us anything', assistant: 'builtin' } },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const onDesktop: DesktopNotification = await desktop.waitFor((n) => n.summary === 'Your order has shipped', 20_000);
    // "default" is the spec's key for a click on the notification itself, not a button.
    assert.deepEqual(onDesktop.actions.filter((a) => a.key !== 'default').map((a) => a.label), showsButtons ? ['Reply'] : []);
    const { conversationId } = (await eventually(async () => (await shown()).find((n) => n.id === sent.body.id) ?? assert.fail('not shown yet'))).reply!;

    desktop.click(onDesktop);
    const opened = showsButtons ? `${site.url}/orders/1001` : `${apiUrl}/reply/${conversationId}`;
    const notOpened = showsButtons ? `${apiUrl}/reply/${conversationId}` : `${site.url}/orders/1001`;
    await browser.waitForTarget((t) => t.url().startsWith(opened), { timeout: 20_000 });
    await eventually(async () => assert.deepEqual(await clicks(sent.body.id), [{ action: null }]));
    assert.ok(!(await browser.pages()).some((p) => p.url().startsWith(notOpened)), `${notOpened} is not opened`);
  });
});
