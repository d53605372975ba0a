/**
 * A notification with a reply in Debian's Chromium on a desktop whose notification server
 * has no reply field (GNOME's, which does not advertise KDE's "inline-reply"): Chromium
 * shows the text action as a plain button, and a click on it opens the thread's reply
 * page, where the user can type. (test/conversations/chromium.test.ts covers the desktop
 * with a reply field.) Pushes reach the worker through CDP's
 * ServiceWorker.deliverPushMessage, as Chromium's push service would hand them over.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import type { LaunchedChromium } from '../support/chromium.ts';
import { startNotificationDaemon, type NotificationDaemon } from '../support/notification-daemon.ts';
import { startPushSink, type PushSink, type SinkSubscription } from '../support/push-sink.ts';
import type { SdkSite } from '../support/sdk-site.ts';
import { openDesktopChromium } from './desktop-chromium.ts';
import { eventually } from '../support/eventually.ts';

// A step that waits for the browser fails after this long instead of hanging the run.
describe('a reply in Chromium on a desktop without a reply field', { timeout: 180_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let sink: PushSink;
  let desktop: NotificationDaemon;
  let site: SdkSite;
  let browser: LaunchedChromium;
  let page: Page;
  let browserSub: SinkSubscription;
  let deliver: (plaintext: string) => Promise<void>;

  before(async () => {
    desktop = await startNotificationDaemon();
    c = await startCarillon('sqlite');
    apiUrl = await c.app.listen({ port: 0, host: '127.0.0.1' });
    // The reply page a push carries is on the server's public base: this listener.
    Object.assign(c.ctx.config, { publicUrl: apiUrl });
    app = await c.createApp('Shop');
    sink = await startPushSink();
    browserSub = sink.subscribe();
    ({ site, browser, page, deliver } = await openDesktopChromium(desktop, apiUrl, browserSub));
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await sink?.close();
    await c?.stop();
    await desktop?.close();
  });

  test('the reply is a "Reply" button beside the others; a click on it opens the thread’s reply page, not the notification’s own page', async () => {
    const subscribed = await page.evaluate(async (o) => {
      const w = window as any;
      w.carillon = await w.Carillon.init(o);
      return w.carillon.prompt() as Promise<string>;
    }, { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl });
    assert.equal(subscribed, 'subscribed');
    const [sub] = (await c.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey })).body.data;
    const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
      key: app.secretKey,
      body: {
        to: { subscriptionIds: [sub.id] },
        title: 'Your parcel ships today',
        url: `${site.url}/orders/1001`,
        actions: [{ action: 'track', title: 'Track parcel', url: `${site.url}/orders/1001/track` }],
        reply: { placeholder: 'Ask us anything', assistant: 'webhook' },
      },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const push = await eventually(() => sink.received.find((r) => r.subscriptionId === browserSub.id) ?? assert.fail('not pushed yet'), 20_000);
    const { conversationId, page: replyPage } = (push.json as any).notification.data.reply;
    await deliver(push.plaintext);

    const shown = await desktop.waitFor((n) => n.summary === 'Your parcel ships today');
    assert.equal(shown.inlineReply, undefined, 'no reply field on this desktop');
    assert.deepEqual(shown.actions.map((a) => a.label).slice(0, 2), ['Track parcel', 'Reply']);

    desktop.click(shown, 'Reply');
    await eventually(() => browser.context.pages().find((p) => p.url().split('#')[0] === replyPage.split('#')[0]) ?? assert.fail(`pages: ${browser.context.pages().map((p) => p.url())}`), 20_000);
    assert.ok(!browser.context.pages().some((p) => p.url() === `${site.url}/orders/1001`), 'the notification’s own page is not opened');
    await eventually(async () => {
      const clicks = await c.ctx.store.db.selectFrom('events').select('action').where('notification_id', '=', sent.body.id).where('type', '=', 'clicked').execute();
      assert.deepEqual(clicks, [{ action: 'reply' }]);
    });
    const thread = (await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey })).body;
    assert.deepEqual([thread.state, thread.messages], ['open', []], 'nothing is posted without text');
  });
});
