/**
 * A conversation in Debian's Chromium, end to end: a notification with a reply is sent to
 * a browser subscribed through the SDK; the desktop (test/support/notification-daemon.ts,
 * advertising KDE's "inline-reply") shows it with a reply field; the user's text goes
 * back to Chromium in the NotificationReplied signal, which Chromium's Linux notification
 * bridge hands to the service worker as a click with `NotificationEvent.reply`; the worker
 * posts it to the thread; the app's webhook endpoint receives it signed (checked with the
 * Standard Webhooks reference library); the app answers through the API; and the answer
 * comes back as a push that the worker shows in the same thread, with a reply field again.
 *
 * The reply travels through the desktop's notification server, as a user's would: no
 * DevTools call stands in for it. Pushes reach the worker through CDP's
 * ServiceWorker.deliverPushMessage, as Chromium's push service (Google's, unreachable
 * offline) would hand them over.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TestCarillon } from '../support/carillon.ts';
import type { LaunchedChromium } from '../support/chromium.ts';
import { startNotificationDaemon, type NotificationDaemon } from '../support/notification-daemon.ts';
import { startPushSink, type PushSink, type SinkSubscription } from '../support/push-sink.ts';
import type { SdkSite } from '../support/sdk-site.ts';
import { openDesktopChromium } from './desktop-chromium.ts';
import { eventually } from '../support/eventually.ts';
import { startReceiver, startWebhookCarillon, verify, type Receiver } from '../webhooks/harness.ts';

const QUESTION = 'Can you deliver on Friday instead?';
const ANSWER = 'Friday works: between 9 and 12.';

// A step that waits for the browser fails after this long instead of hanging the run.
describe('a conversation in Chromium: inline reply, webhook assistant, answer in the thread', { timeout: 180_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let rx: Receiver;
  let sink: PushSink;
  let desktop: NotificationDaemon;
  let site: SdkSite;
  let browser: LaunchedChromium;
  let page: Page;
  let browserSub: SinkSubscription;
  let deliver: (plaintext: string) => Promise<void>;

  /** The `n`th push the browser's subscription received (bounded wait). */
  const nthPush = (n: number) =>
    eventually(() => {
      const pushes = sink.received.filter((r) => r.subscriptionId === browserSub.id);
      assert.ok(pushes.length >= n, `${pushes.length} pushes of ${n}`);
      return pushes[n - 1]!;
    }, 20_000);
  const shownInBrowser = () =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration('/');
      return (await registration!.getNotifications()).map((n) => ({
        title: n.title,
        body: n.body,
        tag: n.tag,
        renotify: (n as any).renotify,
        actions: (n as any).actions.map((a: any) => ({ action: a.action, title: a.title, type: a.type, placeholder: a.placeholder })),
      }));
    });

  before(async () => {
    desktop = await startNotificationDaemon({ inlineReply: true });
    c = await startWebhookCarillon('sqlite');
    apiUrl = await c.app.listen({ port: 0, host: '127.0.0.1' });
    // The reply endpoint a push carries is on the server's public base: this listener.
    Object.assign(c.ctx.config, { publicUrl: apiUrl });
    app = await c.createApp('Shop');
    rx = await startReceiver({ tls: true });
    sink = await startPushSink();
    browserSub = sink.subscribe();
    ({ site, browser, page, deliver } = await openDesktopChromium(desktop, apiUrl, browserSub));
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await sink?.close();
    await rx?.close();
    await c?.stop();
    await desktop?.close();
  });

  test('the reply typed in the desktop notification reaches the app signed; the app’s answer is shown in the same thread, with a reply field again', async () => {
    const subscribed = await page.evaluate(async (o) => {
      const w = window as any;
      w.carillon = await w.Carillon.init(o);
      return w.carillon.prompt() as Promise<string>;
    }, { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl });
    assert.equal(subscribed, 'subscribed');
    const [sub] = (await c.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey })).body.data;
    assert.equal(sub.endpoint, browserSub.endpoint);
    const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['conversation.message'] } })).body;
    assert.ok(hook.secret, JSON.stringify(hook));

    const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
      key: app.secretKey,
      body: { to: { subscriptionIds: [sub.id] }, title: 'Your parcel ships today', body: 'Questions? Reply here.', reply: { placeholder: 'Ask us anything', assistant: 'webhook' } },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const first = await nthPush(1);
    const { conversationId } = (first.json as any).notification.data.reply;
    await deliver(first.plaintext);

    // What the desktop shows: the text and a reply field with the placeholder.
    const asked = await desktop.waitFor((n) => n.summary === 'Your parcel ships today');
    assert.match(asked.body, /Questions\? Reply here\./);
    assert.deepEqual(asked.inlineReply, { label: 'Reply', placeholder: 'Ask us anything' });
    assert.deepEqual(await shownInBrowser(), [
      { title: 'Your parcel ships today', body: 'Questions? Reply here.', tag: conversationId, renotify: true, actions: [{ action: 'reply', title: 'Reply', type: 'text', placeholder: 'Ask us anything' }] },
    ]);

    // The user types the reply in the notification and sends it.
    desktop.reply(asked, QUESTION);
    const received = await eventually(() => {
      assert.equal(rx.received.length, 1, 'one conversation.message at the app’s endpoint');
      return rx.received[0]!;
    }, 20_000);
    const event = verify(hook.secret, received);
    assert.equal(event.type, 'conversation.message');
    assert.equal(event.data.conversationId, conversationId);
    assert.equal(event.data.notificationId, sent.body.id);
    assert.equal(event.data.subscriptionId, sub.id);
    assert.equal(event.data.message.text, QUESTION);
    assert.deepEqual(event.data.history.map((m: any) => [m.seq, m.author, m.text]), [[1, 'user', QUESTION]]);
    assert.equal(desktop.shown.find((n) => n.id === asked.id)?.closed, 'by-browser', 'the worker closed the notification it replied from');

    // The app answers through the API; the answer is pushed into the thread.
    const answered = await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/messages`, { key: app.secretKey, body: { text: ANSWER } });
    assert.equal(answered.status, 201, JSON.stringify(answered.body));
    const second = await nthPush(2);
    await deliver(second.plaintext);
    const answer = await desktop.waitFor((n) => n.body.includes(ANSWER));
    assert.equal(answer.summary, 'Your parcel ships today', 'the thread keeps its title');
    assert.ok(desktop.shown.indexOf(answer) > desktop.shown.indexOf(asked), 'the answer follows the question on the desktop');
    assert.deepEqual(answer.inlineReply, { label: 'Reply', placeholder: 'Ask us anything' }, 'the user can reply again');
    const inBrowser = await shownInBrowser();
    assert.equal(inBrowser.length, 1, JSON.stringify(inBrowser));
    assert.equal(inBrowser[0]!.tag, conversationId, 'the same thread');
    assert.equal(inBrowser[0]!.body, ANSWER);
    assert.equal(inBrowser[0]!.renotify, true);

    const thread = (await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey })).body;
    assert.deepEqual(thread.messages.map((m: any) => [m.seq, m.author, m.text]), [[1, 'user', QUESTION], [2, 'assistant', ANSWER]]);
    // The worker reports after it showed or posted: the reports may still be on their way.
    await eventually(async () => {
      const events = await c.ctx.store.db.selectFrom('events').select(['type', 'action', 'notification_id']).where('notification_id', 'is not', null).execute();
      assert.deepEqual(
        events.map((e) => [e.notification_id === sent.body.id ? 'question' : 'answer', e.type, e.action]).sort(),
        [['answer', 'displayed', null], ['question', 'clicked', 'reply'], ['question', 'displayed', null]],
        'the reply is reported as a click on the reply action',
      );
    });

    // Replying to the answer, from its own reply field, goes on in the thread.
    desktop.reply(answer, 'Thanks!');
    const next = await eventually(() => {
      assert.equal(rx.received.length, 2, 'a second conversation.message');
      return verify(hook.secret, rx.received[1]!);
    }, 20_000);
    assert.equal(next.data.conversationId, conversationId);
    assert.deepEqual(next.data.history.map((m: any) => [m.seq, m.author, m.text]), [[1, 'user', QUESTION], [2, 'assistant', ANSWER], [3, 'user', 'Thanks!']]);
  });
  test('a reply the thread refuses (closed) opens the thread’s reply page instead, where the user can see why', async () => {
    const [sub] = (await c.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey })).body.data;
    const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
      key: app.secretKey,
      body: { to: { subscriptionIds: [sub.id] }, title: 'Your refund is on its way', body: 'Reply with any question.', url: `${site.url}/refunds/7`, reply: { placeholder: 'Your question', assistant: 'webhook' } },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const push = await eventually(() => sink.received.find((r) => (r.json as any)?.notification?.data?.id === sent.body.id) ?? assert.fail('not pushed yet'), 20_000);
    const { conversationId, page: replyPage } = (push.json as any).notification.data.reply;
    await deliver(push.plaintext);
    const shown = await desktop.waitFor((n) => n.summary === 'Your refund is on its way');
    assert.equal((await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/close`, { key: app.secretKey })).status, 200);

    const webhookCalls = rx.received.length;
    desktop.reply(shown, 'Is it the full amount?');
    // The reply page, not the notification's own page: the text typed has to go somewhere.
    // The page takes its token out of the address bar as it loads: the path names the thread.
    const opened = await eventually(() => browser.context.pages().find((p) => p.url().split('#')[0] === replyPage.split('#')[0]) ?? assert.fail(`pages: ${browser.context.pages().map((p) => p.url())}`), 20_000);
    assert.ok(opened);
    assert.ok(!browser.context.pages().some((p) => p.url() === `${site.url}/refunds/7`), 'the notification’s own page is not opened');
    const thread = (await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey })).body;
    assert.equal(thread.state, 'closed');
    assert.deepEqual(thread.messages, [], 'the closed thread stored nothing');
    assert.equal(rx.received.length, webhookCalls, 'nothing reached the app');
    await eventually(async () => {
      const clicks = await c.ctx.store.db.selectFrom('events').select('action').where('notification_id', '=', sent.body.id).where('type', '=', 'clicked').execute();
      assert.deepEqual(clicks, [{ action: 'reply' }]);
    });
  });
});
