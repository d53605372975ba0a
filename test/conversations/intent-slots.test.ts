/**
 * An intent's `offerSlots` action: the built-in assistant takes a reply for `reschedule`,
 * fetches the app's free slots (a signed GET on loopback) and answers with the prompt in
 * the thread's language and at most min(max, 3) slots as buttons, pushed into the thread.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import type { PushSink } from '../support/push-sink.ts';
import { verify, type Receiver } from '../webhooks/harness.ts';
import { handoffOf, intentKnowledgeBase, json, messagesOf, startIntentSetup } from './assistant/intent-fixture.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';
import { nthPush, postReply, pushesTo, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

const FIVE = ['mon-9', 'mon-14', 'tue-10', 'wed-11', 'thu-16'].map((id, i) => ({ id, label: ['Mon 9:00', 'Mon 14:00', 'Tue 10:00', 'Wed 11:00', 'Thu 16:00'][i] }));

for (const kind of DEPLOYMENTS) {
  describe(`an intent's free slots (${kind})`, () => {
    let c: TestCarillon;
    let rx: Receiver;
    let sink: PushSink;
    let app: TestApp;
    let secret: string;

    let stop: () => Promise<void>;

    before(async () => {
      ({ c, rx, sink, app, secret, stop } = await startIntentSetup(kind, { maxAttempts: 3, retryBase: 20, retryMax: 40 }));
    });
    after(() => stop());

    async function ask(text: string) {
      const device = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [device.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      const from = rx.received.length;
      assert.equal((await postReply(c, { token, text })).status, 200);
      return { device, conversationId, from };
    }

    test('five slots listed, max 3: the prompt with three buttons, then the reply field; the GET is signed', async () => {
      rx.answer(json(200, FIVE));
      const { device, conversationId, from } = await ask('Reschedule my appointment');
      const pushed = await nthPush(sink, device.sinkId, 2);
      assert.equal(pushed.notification.body, 'Here are the next free slots:');
      assert.deepEqual(
        pushed.notification.actions.map((a: any) => [a.action, a.title]),
        [['slot:mon-9', 'Mon 9:00'], ['slot:mon-14', 'Mon 14:00'], ['slot:tue-10', 'Tue 10:00'], ['reply', 'Reply']],
      );
      assert.equal(rx.received.length, from + 1);
      const request = rx.received[from]!;
      assert.equal(request.body, '', 'a GET');
      assert.equal(request.headers['webhook-id'], `intent.${conversationId}.1`, 'the signed id names the thread, which the app can read');
      assert.equal(request.headers['accept-language'], 'en');
      verify(secret, request);
      const thread = await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey });
      assert.deepEqual(thread.body.messages[1].actions, [
        { action: 'slot:mon-9', title: 'Mon 9:00' },
        { action: 'slot:mon-14', title: 'Mon 14:00' },
        { action: 'slot:tue-10', title: 'Tue 10:00' },
      ]);
    });

    test("in French, the prompt is the knowledge base's French one; without a prompt, Carillon's in the thread's language", async () => {
      rx.answer(json(200, FIVE.slice(0, 2)));
      const fr = await ask('Je voudrais déplacer mon rendez-vous');
      const pushed = await nthPush(sink, fr.device.sinkId, 2);
      assert.equal(pushed.notification.body, 'Voici les prochains créneaux libres :');
      assert.equal(rx.received[fr.from]!.headers['accept-language'], 'fr');
      assert.deepEqual(pushed.notification.actions.map((a: any) => a.action), ['slot:mon-9', 'slot:mon-14', 'reply'], 'fewer slots than max: all of them');

      // book_appointment has no prompt of its own.
      assert.ok(DELIVERY_KB.intents!.find((i) => i.name === 'book_appointment' && 'offerSlots' in i.action && i.action.offerSlots.prompt === undefined));
      rx.answer(json(200, FIVE));
      const book = await ask('Je voudrais prendre rendez-vous');
      assert.equal((await nthPush(sink, book.device.sinkId, 2)).notification.body, 'Voici les prochains créneaux libres :');
    });

    test('no free slot, or a list that is not [{id, label}]: the thread waits for a person, the reason on it', async () => {
      const cases: [ReturnType<typeof json>, RegExp][] = [
        [json(200, []), /^intent_no_slots: /],
        [{ status: 204, body: '' }, /^intent_no_slots: /],
        [json(200, [{ id: 'mon 9', label: 'Mon 9:00' }]), /^intent_bad_response: #\/0\/id: /],
        [json(200, { slots: FIVE }), /^intent_bad_response: #: /],
      ];
      for (const [answer, reason] of cases) {
        rx.answer(answer);
        const { device, conversationId, from } = await ask('Move my appointment to another day');
        const h = await eventually(async () => {
          const x = await handoffOf(c, app, conversationId);
          assert.equal(x.state, 'waiting_for_person');
          return x;
        }, 15_000);
        assert.match(h.reason!, reason);
        assert.equal(rx.received.length, from + 1);
        assert.equal((await messagesOf(c, app, conversationId)).length, 1);
        assert.equal(pushesTo(sink, device.sinkId).length, 1);
      }
    });

    test('an intent URL on an origin where the app has no webhook endpoint is not called: nothing could sign it', async () => {
      const other = await c.createApp();
      const kb = await c.api('PUT', `/v1/apps/${other.id}/assistant/knowledge-base`, { key: other.secretKey, body: intentKnowledgeBase(new URL(rx.url).origin) });
      assert.equal(kb.status, 200);
      const device = await subscribe(c, sink, other, 'dee');
      await sendAnswerable(c, other, [device.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      const from = rx.received.length;
      assert.equal((await postReply(c, { token, text: 'Reschedule my appointment' })).status, 200);
      const h = await eventually(async () => {
        const x = await handoffOf(c, other, conversationId);
        assert.equal(x.state, 'waiting_for_person');
        return x;
      }, 15_000);
      assert.match(h.reason!, /^intent_unsigned: the app has no enabled webhook endpoint on https:\/\/push\.test:\d+ /);
      assert.equal(rx.received.length, from);
    });
  });
}
