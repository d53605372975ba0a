/**
 * A slot tapped in Debian's Chromium is the user's next message in the thread (issue #18):
 * the built-in assistant offers the app's free slots as buttons of its answer; the desktop
 * (test/support/notification-daemon.ts) shows them; the user clicks "Tue 10:00" there, the
 * way a user would, and Carillon's service worker posts it to the thread with its choice,
 * opening nothing; the app receives it signed as `conversation.message` and confirms in its
 * response, which comes back as the thread's next push. A tap the thread no longer takes
 * opens the reply page, where the latest answer's slot is tapped instead, once: an answer
 * chosen from keeps its buttons disabled there. The buttons of the app's own first
 * notification are clicks as before: the notification's page opens, nothing is posted.
 *
 * Pushes reach the worker through CDP's ServiceWorker.deliverPushMessage, as Chromium's
 * push service would hand them over; intents and webhooks go to an HTTPS receiver on loopback.
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
import { intentKnowledgeBase, json } from './assistant/intent-fixture.ts';

const SLOTS = [
  { id: 'mon-9', label: 'Mon 9:00' },
  { id: 'tue-10', label: 'Tue 10:00' },
];

// A step that waits for the browser fails after this long instead of hanging the run.
describe('a slot tapped in Chromium', { timeout: 180_000 }, () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  let apiUrl: string;
  let rx: Receiver;
  let secret: string;
  let sink: PushSink;
  let desktop: NotificationDaemon;
  let site: SdkSite;
  let browser: LaunchedChromium;
  let page: Page;
  let browserSub: SinkSubscription;
  let subscriptionId: string;
  let deliver: (plaintext: string) => Promise<void>;

  const pushes = () => sink.received.filter((r) => r.subscriptionId === browserSub.id);
  /** The `n`th push the browser's subscription received (bounded wait). */
  const nthPush = (n: number) =>
    eventually(() => {
      assert.ok(pushes().length >= n, `${pushes().length} pushes of ${n}`);
      return pushes()[n - 1]!;
    }, 20_000);
  const thread = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/conversations/${id}`, { key: app.secretKey })).body;
  /** A thread the built-in assistant answered with SLOTS, shown on the desktop. */
  const slotsShown = async (title: string) => {
    const from = pushes().length;
    const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
      key: app.secretKey,
      body: { to: { subscriptionIds: [subscriptionId] }, title, body: 'Reply to change it.', reply: { placeholder: 'Ask us anything', assistant: 'builtin' } },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const first = await nthPush(from + 1);
    await deliver(first.plaintext);
    const asked = await desktop.waitFor((n) => n.summary === title);
    rx.answer(json(200, SLOTS));
    desktop.reply(asked, 'Reschedule my appointment');
    const offer = await nthPush(from + 2);
    await deliver(offer.plaintext);
    const shown = await desktop.waitFor((n) => n.summary === title && n.body.includes('Here are the next free slots:'));
    return { conversationId: (first.json as any).notification.data.reply.conversationId as string, offer: offer.json as any, shown, notificationId: (offer.json as any).notification.data.id as string };
  };

  before(async () => {
    desktop = await startNotificationDaemon({ inlineReply: true });
    c = await startWebhookCarillon('sqlite');
    apiUrl = await c.app.listen({ port: 0, host: '127.0.0.1' });
    // The reply endpoint and page a push carries are on the server's public base: this listener.
    Object.assign(c.ctx.config, { publicUrl: apiUrl });
    app = await c.createApp('Clinic');
    rx = await startReceiver({ tls: true });
    const hook = await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['conversation.message'] } });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    secret = hook.body.secret;
    assert.equal((await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: intentKnowledgeBase(new URL(rx.url).origin) })).status, 200);
    sink = await startPushSink();
    browserSub = sink.subscribe();
    ({ site, browser, page, deliver } = await openDesktopChromium(desktop, apiUrl, browserSub));
    const subscribed = await page.evaluate(async (o) => {
      const w = window as any;
      w.carillon = await w.Carillon.init(o);
      return w.carillon.prompt() as Promise<string>;
    }, { appId: app.id, publishableKey: app.publishableKey, serverUrl: apiUrl });
    assert.equal(subscribed, 'subscribed');
    subscriptionId = (await c.api('GET', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey })).body.data[0].id;
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    await sink?.close();
    await rx?.close();
    await c?.stop();
    await desktop?.close();
  });

  test('"Tue 10:00" clicked on the desktop is the thread’s next user message, reaches the app signed with its choice, and the app’s confirmation is pushed; nothing opens', async () => {
    const { conversationId, shown, notificationId } = await slotsShown('Your appointment on Monday');
    assert.deepEqual(shown.actions.map((a) => a.label).filter((l) => l.includes(':')), ['Mon 9:00', 'Tue 10:00'], 'the slots are buttons on the desktop');
    const pagesBefore = browser.context.pages().length;
    const from = rx.received.length;
    rx.answer(json(200, { text: 'Booked: Tue 10:00. See you then!' }));

    desktop.click(shown, 'Tue 10:00');
    const event = await eventually(() => {
      assert.equal(rx.received.length, from + 1, 'one conversation.message at the app’s endpoint');
      return verify(secret, rx.received[from]!);
    }, 20_000);
    assert.equal(event.type, 'conversation.message');
    assert.equal(event.data.conversationId, conversationId);
    assert.deepEqual([event.data.message.author, event.data.message.text, event.data.message.choice], ['user', 'Tue 10:00', 'slot:tue-10']);

    const confirmation = await nthPush(3);
    assert.equal((confirmation.json as any).notification.body, 'Booked: Tue 10:00. See you then!');
    await deliver(confirmation.plaintext);
    await desktop.waitFor((n) => n.body.includes('Booked: Tue 10:00.'));
    const t = await thread(conversationId);
    assert.equal(t.state, 'open');
    assert.deepEqual(t.messages.map((m: any) => [m.seq, m.author, m.text, m.choice]), [
      [1, 'user', 'Reschedule my appointment', undefined],
      [2, 'assistant', 'Here are the next free slots:', undefined],
      [3, 'user', 'Tue 10:00', 'slot:tue-10'],
      [4, 'assistant', 'Booked: Tue 10:00. See you then!', undefined],
    ]);
    assert.equal(browser.context.pages().length, pagesBefore, 'the tap opened no page');
    await eventually(async () => {
      const clicks = await c.ctx.store.db.selectFrom('events').select('action').where('notification_id', '=', notificationId).where('type', '=', 'clicked').execute();
      assert.deepEqual(clicks, [{ action: 'slot:tue-10' }], 'reported as a click on the slot, as before');
    });
  });

  test('a tap the thread no longer takes opens the reply page, where the latest answer’s slot is tapped instead', async () => {
    const { conversationId, shown, offer } = await slotsShown('Your appointment on Tuesday');
    // The app answered again meanwhile (its push not shown yet): the slots on the desktop are stale.
    const newer = await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/messages`, {
      key: app.secretKey,
      body: { text: 'Mon 9:00 just went. Still free:', actions: [{ action: 'slot:wed-11', title: 'Wed 11:00' }] },
    });
    assert.equal(newer.status, 201, JSON.stringify(newer.body));
    const from = rx.received.length;

    desktop.click(shown, 'Mon 9:00');
    const replyPage = offer.notification.data.reply.page as string;
    const opened = await eventually(() => browser.context.pages().find((p) => p.url().split('#')[0] === replyPage.split('#')[0]) ?? assert.fail(`pages: ${browser.context.pages().map((p) => p.url())}`), 20_000);
    await opened.waitForSelector('body[data-ready="true"]');
    const wed = opened.getByRole('button', { name: 'Wed 11:00' });
    await wed.waitFor();
    assert.equal(await wed.isEnabled(), true, 'the latest answer’s slot can be tapped');
    assert.equal(await opened.getByRole('button', { name: 'Mon 9:00' }).isEnabled(), false, 'the stale offer’s cannot');
    assert.equal(rx.received.length, from, 'the stale tap reached no one');

    rx.answer(json(200, { text: 'Booked: Wed 11:00.' }));
    await wed.click();
    await opened.locator('#messages > li.user', { hasText: 'Wed 11:00' }).waitFor();
    const event = await eventually(() => {
      assert.equal(rx.received.length, from + 1);
      return verify(secret, rx.received[from]!);
    }, 20_000);
    assert.deepEqual([event.data.message.text, event.data.message.choice], ['Wed 11:00', 'slot:wed-11']);
    await opened.locator('#messages > li.assistant', { hasText: 'Booked: Wed 11:00.' }).waitFor({ timeout: 20_000 });
    const t = await thread(conversationId);
    assert.deepEqual(t.messages.slice(2).map((m: any) => [m.author, m.text, m.choice]), [
      ['assistant', 'Mon 9:00 just went. Still free:', undefined],
      ['user', 'Wed 11:00', 'slot:wed-11'],
      ['assistant', 'Booked: Wed 11:00.', undefined],
    ]);
  });

  test('on the reply page, an answer chosen from keeps its buttons disabled, after a reload too', async () => {
    const { conversationId, offer } = await slotsShown('Your appointment on Wednesday');
    const opened = await browser.context.newPage();
    await opened.goto(offer.notification.data.reply.page as string);
    await opened.waitForSelector('body[data-ready="true"]');
    const tue = opened.getByRole('button', { name: 'Tue 10:00' });
    const mon = opened.getByRole('button', { name: 'Mon 9:00' });
    await tue.waitFor();
    assert.equal(await tue.isEnabled(), true);
    const from = rx.received.length;
    // The app books later (an empty answer): the offer stays the latest answer.
    rx.answer({ status: 204 });
    await tue.click();
    await opened.locator('#messages > li.user', { hasText: 'Tue 10:00' }).waitFor();
    await eventually(() => assert.equal(rx.received.length, from + 1), 20_000);
    await opened.waitForFunction(() => !document.querySelector('#send')?.hasAttribute('disabled'));
    assert.deepEqual([await tue.isEnabled(), await mon.isEnabled()], [false, false], 'chosen from: no second tap');
    await opened.reload();
    await opened.waitForSelector('body[data-ready="true"]');
    await mon.waitFor();
    assert.deepEqual([await tue.isEnabled(), await mon.isEnabled()], [false, false], 'read from the thread, the same');
    assert.deepEqual((await thread(conversationId)).messages.map((m: any) => [m.author, m.choice]), [['user', undefined], ['assistant', undefined], ['user', 'slot:tue-10']]);
    await opened.close();
  });

  test('a button of the app’s own first notification is a click as before: its page opens, nothing is posted to the thread', async () => {
    const title = 'Your parcel ships today';
    const url = `${site.url}/orders/7`;
    const from = pushes().length;
    const received = rx.received.length;
    const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
      key: app.secretKey,
      body: { to: { subscriptionIds: [subscriptionId] }, title, url, actions: [{ action: 'later', title: 'Later' }], reply: { placeholder: 'Ask us anything', assistant: 'webhook' } },
    });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const first = await nthPush(from + 1);
    assert.equal((first.json as any).notification.data.reply.answer, undefined);
    await deliver(first.plaintext);
    const shown = await desktop.waitFor((n) => n.summary === title);
    desktop.click(shown, 'Later');
    await eventually(() => browser.context.pages().find((p) => p.url() === url) ?? assert.fail(`pages: ${browser.context.pages().map((p) => p.url())}`), 20_000);
    const conversationId = (first.json as any).notification.data.reply.conversationId as string;
    await eventually(async () => {
      const clicks = await c.ctx.store.db.selectFrom('events').select('action').where('notification_id', '=', (first.json as any).notification.data.id).where('type', '=', 'clicked').execute();
      assert.deepEqual(clicks, [{ action: 'later' }]);
    });
    assert.deepEqual((await thread(conversationId)).messages, [], 'no message in the thread');
    assert.equal(rx.received.length, received, 'nothing reached the app');
  });
});
