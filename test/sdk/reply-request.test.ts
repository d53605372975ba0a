/**
 * What Carillon's service worker posts for a click on a thread's notification
 * (sdk/src/render.ts replyRequest): a tapped button of the answer with no URL of its own
 * (a slot) is posted as the user's next message with its `choice`; a link, the reply field
 * without text, a notification without a thread, and the buttons of the thread's first
 * notification (no answer's: no `data.reply.answer`) post nothing, a click as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWebPushPayload } from '../../src/providers/webpush/build-payload.ts';
import { clickTarget, parsePush, renderNotification, replyRequest } from '../../sdk/src/render.ts';

const first = { conversationId: 'cnv_1', token: 'cr1.tok', endpoint: 'https://push.example/v1/reply', page: 'https://push.example/reply/cnv_1#cr1.tok', title: 'Reply', placeholder: 'Ask us anything' };
/** The same thread on the push of its answer seq 2. */
const thread = { ...first, answer: 2 };

/** The slots answer as the worker shows it: its options, and the buttons the shown notification holds. */
function shownSlots() {
  return shown({
    title: 'Your appointment',
    body: 'Here are the next free slots:',
    actions: [
      { action: 'slot:mon-9', title: 'Mon 9:00' },
      { action: 'slot:tue-10', title: 'Tue 10:00' },
      { action: 'track', title: 'Track parcel', url: 'https://shop.example/track' },
    ],
    replyThread: thread,
  });
}

function shown(content: Parameters<typeof buildWebPushPayload>[1]) {
  const message = parsePush(JSON.parse(JSON.stringify(buildWebPushPayload('ntf_2', content))));
  assert.ok(message);
  const { options } = renderNotification(message, 'sub_1');
  return { data: options.data, buttons: options.actions!.map((a) => ({ action: a.action, title: a.title })) };
}

test('a tapped slot posts its title as the text, with its action as the choice, and names the reply page to fall back on', () => {
  const { data, buttons } = shownSlots();
  assert.deepEqual(buttons.map((b) => b.action), ['slot:mon-9', 'slot:tue-10', 'track', 'reply']);
  const post = replyRequest(data, 'slot:tue-10', undefined, 'c-1', buttons);
  assert.ok(post);
  assert.deepEqual({ ...post, body: JSON.parse(post.body) }, {
    url: thread.endpoint,
    body: { token: 'cr1.tok', text: 'Tue 10:00', clientId: 'c-1', choice: 'slot:tue-10' },
    action: 'slot:tue-10',
    page: thread.page,
  });
});

test('a typed reply is still the reply action’s, without a choice; a link, an unknown button or no thread posts nothing', () => {
  const { data, buttons } = shownSlots();
  const typed = replyRequest(data, 'reply', 'Is Friday possible?', 'c-2', buttons);
  assert.deepEqual(typed && { ...typed, body: JSON.parse(typed.body) }, { url: thread.endpoint, body: { token: 'cr1.tok', text: 'Is Friday possible?', clientId: 'c-2' }, action: 'reply' });
  assert.equal(replyRequest(data, 'track', undefined, 'c-3', buttons), undefined, 'a button with a URL of its own opens it');
  assert.equal(replyRequest(data, 'slot:wed-11', undefined, 'c-3', buttons), undefined, 'not a button of the notification');
  assert.equal(replyRequest(data, 'slot:tue-10', undefined, 'c-3'), undefined, 'no title to send without the shown buttons');
  assert.equal(replyRequest(data, 'reply', undefined, 'c-3', buttons), undefined, 'the reply field without text opens the reply page');
  assert.equal(replyRequest({ id: 'ntf_3' }, 'slot:tue-10', undefined, 'c-3', buttons), undefined, 'a notification without a thread');
});

test('the buttons of the thread’s first notification, which the app sent, are clicks as before: nothing is posted', () => {
  const { data, buttons } = shown({ title: 'Your parcel ships today', url: 'https://shop.example/orders/7', actions: [{ action: 'later', title: 'Later' }, { action: 'archive', title: 'Archive' }], replyThread: first });
  assert.equal((data as any).reply.answer, undefined);
  assert.equal(replyRequest(data, 'later', undefined, 'c-4', buttons), undefined, 'no answer of the thread: no choice');
  assert.equal(clickTarget(data, 'later', 'https://shop.example', true), 'https://shop.example/orders/7', 'the notification’s page, as a click on it');
  const typed = replyRequest(data, 'reply', 'When will it arrive?', 'c-5', buttons);
  assert.deepEqual(typed && JSON.parse(typed.body), { token: 'cr1.tok', text: 'When will it arrive?', clientId: 'c-5' }, 'a typed reply is posted all the same');
});
