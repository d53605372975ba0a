import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWebPushPayload } from '../../src/providers/webpush/build-payload.ts';
import { clickTarget, findWindow, parsePush, renderNotification, ROUTING_KEY } from '../../sdk/src/render.ts';
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
  assert.equal(clickTarget(options.data, 'track', origin), 'https://shop.example/orders/1001/track');
  assert.equal(clickTarget(options.data, 'later', origin), 'https://shop.example/orders/1001', 'an action without a url opens the notification’s');
  assert.equal(clickTarget(options.data, '', origin), 'https://shop.example/orders/1001');
  assert.equal(clickTarget({ id: 'x' }, '', origin), undefined, 'nothing to open');
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
