/**
 * Replying from Firefox, end to end, through Carillon's own push service: the SDK on a site
 * subscribes, a notification with `reply` is pushed, decrypted and shown by Carillon's
 * service worker; the reply page it carries is opened, the user types a question and sends
 * it, the built-in assistant answers from the app's knowledge base, and the answer shows on
 * the page and arrives as the next push of the same thread (same tag, replacing the first).
 *
 * Headless Firefox shows notifications in an alert window that a test cannot click, and
 * Firefox ESR 140 shows no action buttons at all (Notification.maxActions is 0 there), so
 * the test opens the URL the shown notification carries (`data.reply.page`, the Reply
 * action's `navigate`), as the service worker does on that action's click. Standard APIs
 * only: the same holds on every Firefox ESR with Web Push (140 and later).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { firstTab, launchFirefox, newFirefoxProfile, type FirefoxProfile } from '../support/firefox.ts';
import { startSdkSite, type SdkSite } from '../support/sdk-site.ts';
import { eventually } from '../support/eventually.ts';
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
    browser = await launchFirefox(`${apiUrl.replace('http', 'ws')}/push/ws`, profile);
    // Both tabs now, before any notification window exists (see firstTab).
    siteTab = await firstTab(browser);
    replyTab = await browser.newPage();
    replyTab.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') consoleErrors.push(m.text());
    });
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
    profile?.remove();
  });

  test('the reply page opened from the notification: the user asks, the built-in assistant answers on the page and as the next push of the thread', async () => {
    const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
      key: app.secretKey,
      body: { to: { userIds: ['ff-user'] }, title: 'Your parcel ships today', body: 'Questions? Reply here.', reply: { placeholder: 'Ask us anything', assistant: 'builtin' } },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const first = await eventually(async () => (await shown()).find((n) => n.id === sent.body.id) ?? assert.fail('not shown yet'));
    assert.equal(first.body, 'Questions? Reply here.');
    const reply = first.reply!;
    assert.equal(first.tag, reply.conversationId, 'the thread is the tag');
    assert.equal(reply.page, `${apiUrl}/reply/${reply.conversationId}#${reply.token}`);

    await replyTab.bringToFront();
    await replyTab.goto(reply.page);
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
});
