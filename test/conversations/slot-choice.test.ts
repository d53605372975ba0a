/**
 * A tapped slot is the user's next message in the thread (docs/conversations.md#a-tapped-button):
 * POST /v1/reply with the button's `choice` and its title as text is stored as the user's
 * message, shown in the thread's views, and sent to the app's `conversation.message`
 * endpoint (signed) for it to book and confirm; the built-in assistant does not match it. A
 * choice that is no button of the latest answer, or whose text is not its title, is refused,
 * and so is a second choice of the same answer; an answer's button is never called `reply`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import type { PushSink } from '../support/push-sink.ts';
import { verify, type Receiver } from '../webhooks/harness.ts';
import { CHOICE_UNANSWERED } from '../../src/conversations/receive-reply.ts';
import { handoffOf, intentKnowledgeBase, json, messagesOf, startIntentSetup } from './assistant/intent-fixture.ts';
import { nthPush, postReply, pushesTo, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

const SLOTS = [
  { id: 'mon-9', label: 'Mon 9:00' },
  { id: 'tue-10', label: 'Tue 10:00' },
];

/** POST /v1/reply as a device posts a tapped button. */
async function tap(c: TestCarillon, body: { token: string; text: string; choice: string; clientId?: string }) {
  const res = await c.app.inject({ method: 'POST', url: '/v1/reply', remoteAddress: '198.51.100.20', payload: { clientId: randomUUID(), ...body } });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}

for (const kind of DEPLOYMENTS) {
  describe(`a tapped slot in the thread (${kind})`, () => {
    let c: TestCarillon;
    let rx: Receiver;
    let sink: PushSink;
    let app: TestApp;
    let secret: string;

    let stop: () => Promise<void>;

    before(async () => {
      ({ c, rx, sink, app, secret, stop } = await startIntentSetup(kind));
    });
    after(() => stop());

    /** A thread of `a`'s where the built-in assistant offered SLOTS: the slot push's reply token. */
    async function offered(a: TestApp = app) {
      const device = await subscribe(c, sink, a, 'ana');
      await sendAnswerable(c, a, [device.id], 'builtin');
      const first = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      rx.answer(json(200, SLOTS));
      assert.equal((await postReply(c, { token: first.token, text: 'Reschedule my appointment' })).status, 200);
      const push = await nthPush(sink, device.sinkId, 2);
      assert.deepEqual(push.notification.actions.map((x: any) => x.action), ['slot:mon-9', 'slot:tue-10', 'reply']);
      return { device, conversationId: first.conversationId as string, token: push.notification.data.reply.token as string };
    }

    test('the tap is the user’s next message: stored with its choice, shown, sent to the app signed; the app’s answer confirms it in the thread', async () => {
      const { device, conversationId, token } = await offered();
      const from = rx.received.length;
      rx.answer(json(200, { text: 'Booked: Tue 10:00. See you then!' }));
      const clientId = randomUUID();
      const res = await tap(c, { token, text: 'Tue 10:00', choice: 'slot:tue-10', clientId });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.state, 'open', 'the thread awaits the app’s confirmation');
      assert.deepEqual({ ...res.body.message, createdAt: undefined }, { seq: 3, author: 'user', text: 'Tue 10:00', actions: [], choice: 'slot:tue-10', createdAt: undefined });

      const confirmed = await nthPush(sink, device.sinkId, 3);
      assert.equal(confirmed.notification.body, 'Booked: Tue 10:00. See you then!');
      assert.equal(rx.received.length, from + 1, 'one request: the event, no intent call for "Tue 10:00"');
      const event = verify(secret, rx.received[from]!);
      assert.equal(event.type, 'conversation.message');
      assert.equal(event.data.conversationId, conversationId);
      assert.deepEqual([event.data.message.seq, event.data.message.text, event.data.message.choice], [3, 'Tue 10:00', 'slot:tue-10']);
      assert.deepEqual(event.data.history.map((m: any) => [m.seq, m.author, m.choice]), [[1, 'user', undefined], [2, 'assistant', undefined], [3, 'user', 'slot:tue-10']]);

      const thread = await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey });
      assert.equal(thread.body.state, 'open');
      assert.deepEqual(thread.body.messages.map((m: any) => [m.seq, m.author, m.text, m.choice]), [
        [1, 'user', 'Reschedule my appointment', undefined],
        [2, 'assistant', 'Here are the next free slots:', undefined],
        [3, 'user', 'Tue 10:00', 'slot:tue-10'],
        [4, 'assistant', 'Booked: Tue 10:00. See you then!', undefined],
      ]);
      assert.equal((await handoffOf(c, app, conversationId)).reason, null, 'no hand-off: the assistant did not try to match it');
      const row = await c.ctx.store.db.selectFrom('conversation_messages').select(['intent', 'choice']).where('conversation_id', '=', conversationId).where('seq', '=', 3).executeTakeFirstOrThrow();
      assert.deepEqual(row, { intent: null, choice: 'slot:tue-10' });
      const page = await c.app.inject({ method: 'GET', url: '/v1/reply/thread', remoteAddress: '198.51.100.20', headers: { 'carillon-reply-token': token } });
      assert.deepEqual(page.json().messages.map((m: any) => [m.author, m.text]).slice(2), [['user', 'Tue 10:00'], ['assistant', 'Booked: Tue 10:00. See you then!']], 'the reply page shows it as the user’s');

      // A retry of the tap: the same message again, nothing added; another choice under its clientId is refused.
      const again = await tap(c, { token, text: 'Tue 10:00', choice: 'slot:tue-10', clientId });
      assert.deepEqual([again.status, again.body.message], [200, res.body.message]);
      const other = await tap(c, { token, text: 'Mon 9:00', choice: 'slot:mon-9', clientId });
      assert.deepEqual([other.status, other.body.code], [409, 'reply_client_id_reused']);
      const typed = await postReply(c, { token, text: 'Tue 10:00', clientId });
      assert.deepEqual([typed.status, typed.body.code], [409, 'reply_client_id_reused'], 'the same text typed is another reply');
      // The confirmation replaced the slots: they are no longer a choice.
      const stale = await tap(c, { token, text: 'Mon 9:00', choice: 'slot:mon-9' });
      assert.deepEqual([stale.status, stale.body.code, stale.body.pointer], [400, 'reply_choice_unknown', '#/choice']);
      assert.equal((await messagesOf(c, app, conversationId)).length, 4);
    });

    test('typed rather than tapped, the same label is a question for the built-in assistant, which hands it to a person', async () => {
      const { conversationId, token } = await offered();
      const from = rx.received.length;
      assert.equal((await postReply(c, { token, text: 'Tue 10:00' })).status, 200);
      const h = await eventually(async () => {
        const x = await handoffOf(c, app, conversationId);
        assert.equal(x.state, 'waiting_for_person');
        return x;
      }, 15_000);
      assert.equal(h.reason, 'low_confidence');
      assert.equal(rx.received.length, from, 'nothing sent to the app: its threads are the built-in assistant’s');
    });

    test('a choice that is no button of the latest answer, or whose text is not its title, is refused at #/choice and nothing is stored or sent', async () => {
      const { device, conversationId, token } = await offered();
      const from = rx.received.length;
      const cases = [
        { text: 'Fri 9:00', choice: 'slot:fri-9' },
        { text: 'Tuesday 10:00', choice: 'slot:tue-10' },
        { text: 'Tue 10:00', choice: 'slot:mon-9' },
        { text: 'Reply', choice: 'reply' },
      ];
      for (const body of cases) {
        const res = await tap(c, { token, ...body });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.deepEqual([res.body.code, res.body.pointer], ['reply_choice_unknown', '#/choice'], JSON.stringify(body));
      }
      assert.equal((await tap(c, { token, text: 'Tue 10:00', choice: 'x'.repeat(65) })).status, 400, 'longer than an action id');
      // A thread with no answer yet has no button to tap.
      const fresh = await subscribe(c, sink, app, 'bo');
      await sendAnswerable(c, app, [fresh.id], 'builtin');
      const first = (await nthPush(sink, fresh.sinkId, 1)).notification.data.reply;
      const early = await tap(c, { token: first.token, text: 'Tue 10:00', choice: 'slot:tue-10' });
      assert.deepEqual([early.status, early.body.code], [400, 'reply_choice_unknown']);

      assert.equal((await messagesOf(c, app, conversationId)).length, 2);
      assert.equal((await messagesOf(c, app, first.conversationId)).length, 0);
      assert.equal((await handoffOf(c, app, conversationId)).state, 'open');
      assert.equal(rx.received.length, from);
      assert.equal(pushesTo(sink, device.sinkId).length, 2);
    });

    test('in a thread the app answers, the buttons of its own answer are choices too; a link button is not', async () => {
      const device = await subscribe(c, sink, app, 'cy');
      await sendAnswerable(c, app, [device.id], 'webhook');
      const first = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      const from = rx.received.length;
      assert.equal((await postReply(c, { token: first.token, text: 'Can you come another day?' })).status, 200);
      await eventually(() => assert.equal(rx.received.length, from + 1));
      const actions = [{ action: 'slot:thu', title: 'Thursday' }, { action: 'track', title: 'Track parcel', url: 'https://shop.example/track' }];
      const answered = await c.api('POST', `/v1/apps/${app.id}/conversations/${first.conversationId}/messages`, { key: app.secretKey, body: { text: 'We can come on Thursday.', actions } });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
      const { token } = (await nthPush(sink, device.sinkId, 2)).notification.data.reply;

      const link = await tap(c, { token, text: 'Track parcel', choice: 'track' });
      assert.deepEqual([link.status, link.body.code], [400, 'reply_choice_unknown'], 'a link opens a page; it sends nothing');
      const res = await tap(c, { token, text: 'Thursday', choice: 'slot:thu' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const event = await eventually(() => {
        assert.equal(rx.received.length, from + 2);
        return verify(secret, rx.received[from + 1]!);
      });
      assert.deepEqual([event.data.message.seq, event.data.message.text, event.data.message.choice], [3, 'Thursday', 'slot:thu']);
    });

    test('an answer is chosen from once: a second tap, of the other button or the same one anew, is refused and reaches no one; a retry of the first answers it again', async () => {
      const device = await subscribe(c, sink, app, 'dee');
      await sendAnswerable(c, app, [device.id], 'webhook');
      const first = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      assert.equal(first.answer, undefined, 'the app’s own notification is no answer of the thread');
      const from = rx.received.length;
      assert.equal((await postReply(c, { token: first.token, text: 'Which day can you come?' })).status, 200);
      await eventually(() => assert.equal(rx.received.length, from + 1));
      const actions = [{ action: 'slot:thu', title: 'Thursday' }, { action: 'slot:fri', title: 'Friday' }];
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/conversations/${first.conversationId}/messages`, { key: app.secretKey, body: { text: 'Thursday or Friday?', actions } })).status, 201);
      const pushed = (await nthPush(sink, device.sinkId, 2)).notification.data.reply;
      assert.equal(pushed.answer, 2, 'the answer’s push names the answer its buttons are');

      const clientId = randomUUID();
      const chosen = await tap(c, { token: pushed.token, text: 'Thursday', choice: 'slot:thu', clientId });
      assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
      await eventually(() => assert.equal(rx.received.length, from + 2));
      for (const body of [{ text: 'Friday', choice: 'slot:fri' }, { text: 'Thursday', choice: 'slot:thu' }]) {
        const res = await tap(c, { token: pushed.token, ...body });
        assert.equal(res.status, 409, JSON.stringify(res.body));
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.deepEqual([res.body.code, res.body.pointer, res.body.chosen], ['reply_choice_taken', '#/choice', 'slot:thu'], JSON.stringify(body));
      }
      const retry = await tap(c, { token: pushed.token, text: 'Thursday', choice: 'slot:thu', clientId });
      assert.deepEqual([retry.status, retry.body.message], [200, chosen.body.message], 'the same post again: the stored choice');
      // A typed reply is still taken: the user may change their mind in words.
      assert.equal((await postReply(c, { token: pushed.token, text: 'Actually, Friday would be better' })).status, 200);
      assert.equal((await tap(c, { token: pushed.token, text: 'Friday', choice: 'slot:fri' })).status, 409, 'still chosen from');
      await eventually(() => assert.equal(rx.received.length, from + 3));
      assert.deepEqual((await messagesOf(c, app, first.conversationId)).map(([seq, author]: any) => [seq, author]), [[1, 'user'], [2, 'assistant'], [3, 'user'], [4, 'user']]);

      // The app's next answer offers its buttons anew.
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/conversations/${first.conversationId}/messages`, { key: app.secretKey, body: { text: 'Friday, then?', actions: [{ action: 'yes', title: 'Yes' }] } })).status, 201);
      const next = (await nthPush(sink, device.sinkId, 3)).notification.data.reply;
      assert.equal(next.answer, 5);
      assert.equal((await tap(c, { token: next.token, text: 'Yes', choice: 'yes' })).status, 200);
      await eventually(() => assert.equal(rx.received.length, from + 4), 15_000);
      const sent = rx.received.slice(from).map((r) => verify(secret, r).data.message);
      assert.deepEqual(sent.map((m: any) => [m.seq, m.choice]), [[1, undefined], [3, 'slot:thu'], [4, undefined], [6, 'yes']], 'the refused taps reached no one');
    });

    test('an answer’s button may not be called reply, the reply field’s id: refused with a pointer, nothing stored or pushed', async () => {
      const device = await subscribe(c, sink, app, 'eve');
      await sendAnswerable(c, app, [device.id], 'webhook');
      const first = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      const res = await c.api('POST', `/v1/apps/${app.id}/conversations/${first.conversationId}/messages`, { key: app.secretKey, body: { text: 'Tell us more', actions: [{ action: 'ok', title: 'OK' }, { action: 'reply', title: 'Answer' }] } });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.code, 'invalid_request');
      assert.ok(res.body.errors.some((e: any) => e.pointer === '#/actions/1/action'), JSON.stringify(res.body.errors));
      assert.equal((await messagesOf(c, app, first.conversationId)).length, 0);
      assert.equal(pushesTo(sink, device.sinkId).length, 1, 'nothing pushed');
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/conversations/${first.conversationId}/messages`, { key: app.secretKey, body: { text: 'Tell us more', actions: [{ action: 'replying', title: 'Answer' }] } })).status, 201, 'only the id itself is taken');
      assert.deepEqual((await nthPush(sink, device.sinkId, 2)).notification.actions.map((a: any) => a.action), ['replying', 'reply']);
    });

    test('with no endpoint taking conversation.message, a tapped slot leaves the thread waiting for a person, and says why', async () => {
      const other = await c.createApp();
      // An endpoint on the intent's origin signs the slots request, but takes no conversation.message.
      assert.equal((await c.api('POST', `/v1/apps/${other.id}/webhooks`, { key: other.secretKey, body: { url: rx.url, events: ['notification.clicked'] } })).status, 201);
      assert.equal((await c.api('PUT', `/v1/apps/${other.id}/assistant/knowledge-base`, { key: other.secretKey, body: intentKnowledgeBase(new URL(rx.url).origin) })).status, 200);
      const { conversationId, token } = await offered(other);
      const from = rx.received.length;
      const res = await tap(c, { token, text: 'Mon 9:00', choice: 'slot:mon-9' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.state, 'waiting_for_person');
      assert.deepEqual(await handoffOf(c, other, conversationId), { state: 'waiting_for_person', reason: CHOICE_UNANSWERED });
      assert.deepEqual((await messagesOf(c, other, conversationId)).at(-1), [3, 'user', 'Mon 9:00']);
      assert.equal(rx.received.length, from);
    });
  });
}
