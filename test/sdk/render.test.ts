import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWebPushPayload } from '../../src/providers/webpush/build-payload.ts';
import { clickTarget, findWindow, parsePush, renderNotification, replyRequest, ROUTING_KEY } from '../../sdk/src/render.ts';
import { softAskDue } from '../../sdk/src/soft-ask.ts';

const content = {
  title: 'Your order has shipped',
  body: 'Arriving Thursday',
  url: '/orders/1001',
  icon: 'https://shop.example/icon.png',
  image: 'https://shop.example/parcel.png',
  badge: 'https://shop.example/badge.png',
  tag: 'order-1001',
  lang: 'en',
  dir: 'ltr' as const,
  requireInteraction: true,
  actions: [
    { action: 'track', title: 'Track', url: 'https://shop.example/orders/1001/track', icon: 'https://shop.example/truck.png' },
    { action: 'later', title: 'Later' },
  ],
  data: { orderId: '1001' },
};

test('what the server sends is what the service worker shows', () => {
  const message = parsePush(JSON.parse(JSON.stringify(buildWebPushPayload('ntf_1', content))));
  assert.ok(message);
  const { id, title, options } = renderNotification(message, 'sub_1');
  assert.equal(id, 'ntf_1');
  assert.equal(title, 'Your order has shipped');
  assert.deepEqual(options, {
    body: 'Arriving Thursday',
    icon: 'https://shop.example/icon.png',
    image: 'https://shop.example/parcel.png',
    badge: 'https://shop.example/badge.png',
    tag: 'order-1001',
    lang: 'en',
    dir: 'ltr',
    requireInteraction: true,
    actions: [
      { action: 'track', title: 'Track', icon: 'https://shop.example/truck.png' },
      { action: 'later', title: 'Later' },
    ],
    data: {
      orderId: '1001',
      id: 'ntf_1',
      [ROUTING_KEY]: { navigate: '/orders/1001', actions: { track: 'https://shop.example/orders/1001/track' }, subscriptionId: 'sub_1' },
    },
  });
});

test('pushes that are not Declarative Web Push messages are left alone', () => {
  for (const json of [undefined, null, 'text', { title: 'x' }, { web_push: 8031, notification: { title: 'x' } }, { web_push: 8030, notification: { body: 'no title' } }]) {
    assert.equal(parsePush(json), undefined, JSON.stringify(json));
  }
});

test('a click goes to the action’s own page, else the notification’s, resolved against the site', () => {
  const { options } = renderNotification(parsePush(buildWebPushPayload('ntf_1', content))!);
  const origin = 'https://shop.example';
  assert.equal(clickTarget(options.data, 'track', origin, true), 'https://shop.example/orders/1001/track');
  assert.equal(clickTarget(options.data, 'later', origin, true), 'https://shop.example/orders/1001', 'an action without a url opens the notification’s');
  assert.equal(clickTarget(options.data, '', origin, true), 'https://shop.example/orders/1001');
  assert.equal(clickTarget(options.data, '', origin, false), 'https://shop.example/orders/1001', 'without buttons too: there is no reply to reach');
  assert.equal(clickTarget({ id: 'x' }, '', origin, true), undefined, 'nothing to open');
  const windows = [{ url: 'https://shop.example/' }, { url: 'https://shop.example/orders/1001' }];
  assert.equal(findWindow(windows, 'https://shop.example/orders/1001'), windows[1]);
  assert.equal(findWindow(windows, 'https://shop.example/cart'), undefined);
});

test('the soft-ask comes back only once the delay after a dismissal has passed', () => {
  const day = 86_400_000;
  assert.equal(softAskDue(undefined, 0, 7 * day), true, 'never dismissed');
  assert.equal(softAskDue(10 * day, 16 * day, 7 * day), false);
  assert.equal(softAskDue(10 * day, 17 * day, 7 * day), true);
  assert.equal(softAskDue(10 * day, 10 * day, 0), true, 'no delay');
});

test('a notification that can be answered keeps its inline reply, its renotify and the thread the worker posts to', () => {
  const thread = { conversationId: 'cnv_1', token: 'cr1.tok', endpoint: 'https://push.example/v1/reply', page: 'https://push.example/reply/cnv_1#cr1.tok', title: 'Reply', placeholder: 'Ask us anything' };
  const message = parsePush(JSON.parse(JSON.stringify(buildWebPushPayload('ntf_1', { title: 'Your parcel ships today', replyThread: thread }))));
  assert.ok(message);
  const { options } = renderNotification(message, 'sub_1');
  assert.equal(options.tag, 'cnv_1');
  assert.equal(options.renotify, true);
  assert.deepEqual(options.actions, [{ action: 'reply', title: 'Reply', type: 'text', placeholder: 'Ask us anything' }]);
  assert.equal(clickTarget(options.data, 'reply', 'https://shop.example', true), thread.page, 'without inline text the reply page opens');

  const request = replyRequest(options.data, 'reply', 'Can it come on Friday?', 'c-1');
  assert.deepEqual(request && { url: request.url, body: JSON.parse(request.body) }, { url: thread.endpoint, body: { token: 'cr1.tok', text: 'Can it come on Friday?', clientId: 'c-1' } });
  // Chromium on Linux fires an inline reply from the desktop's notification server with no action.
  const fromDesktop = replyRequest(options.data, '', 'Or on Saturday?', 'c-2');
  assert.deepEqual(fromDesktop && { url: fromDesktop.url, body: JSON.parse(fromDesktop.body) }, { url: thread.endpoint, body: { token: 'cr1.tok', text: 'Or on Saturday?', clientId: 'c-2' } });
  for (const [action, typed] of [['reply', null], ['reply', undefined], ['reply', '  '], ['', undefined], ['', null], ['track', 'text']] as const) {
    assert.equal(replyRequest(options.data, action, typed, 'c-1'), undefined, `${action} ${JSON.stringify(typed)}`);
  }
  assert.equal(replyRequest({ id: 'ntf_2' }, 'reply', 'text', 'c-1'), undefined, 'a notification without a thread posts nothing');
});

test('a click on a notification that can be answered opens its reply page where the body is the only way there', () => {
  const thread = { conversationId: 'cnv_1', token: 'cr1.tok', endpoint: 'https://push.example/v1/reply', page: 'https://push.example/reply/cnv_1#cr1.tok', title: 'Reply', placeholder: 'Ask us anything' };
  const shown = (extra: { url?: string; actions?: { action: string; title: string; url?: string }[] }) =>
    renderNotification(parsePush(JSON.parse(JSON.stringify(buildWebPushPayload('ntf_1', { title: 'Your parcel ships today', replyThread: thread, ...extra }))))!, 'sub_1').options.data;
  const origin = 'https://shop.example';

  const noUrl = shown({});
  assert.equal(clickTarget(noUrl, '', origin, true), thread.page, 'no page of its own: the reply page, buttons or not');
  assert.equal(clickTarget(noUrl, '', origin, false), thread.page);

  const withUrl = shown({ url: '/orders/1001', actions: [{ action: 'track', title: 'Track', url: '/orders/1001/track' }, { action: 'later', title: 'Later' }] });
  assert.equal(clickTarget(withUrl, '', origin, true), 'https://shop.example/orders/1001', 'the Reply button is shown: the body opens the notification’s page');
  assert.equal(clickTarget(withUrl, '', origin, false), thread.page, 'no buttons (Firefox ESR 140): the body is the only way to reply');
  assert.equal(clickTarget(withUrl, 'track', origin, false), 'https://shop.example/orders/1001/track', 'a chosen action keeps its own page');
  assert.equal(clickTarget(withUrl, 'later', origin, false), 'https://shop.example/orders/1001', 'and one without a url the notification’s');
  assert.equal(clickTarget(withUrl, 'reply', origin, true), thread.page);

  assert.equal(clickTarget({ id: 'ntf_2', reply: { conversationId: 'cnv_2' } }, '', origin, false), undefined, 'a thread without a page opens nothing');
});

test('renotify without a tag is left out (a browser refuses that notification)', () => {
  const { options } = renderNotification({ title: 'x', renotify: true });
  assert.equal(options.renotify, undefined);
});
