/**
 * An intent's `webhook` action: the built-in assistant takes a reply for `track_order` and
 * posts it, signed (verified with the Standard Webhooks reference library), to the app's
 * URL on loopback; the app's answer in the response body is the thread's next message and
 * comes as a push. Failures are retried with the queue's backoff, then hand the thread to a
 * person with the reason on it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import type { PushSink } from '../support/push-sink.ts';
import { verify, type Receiver } from '../webhooks/harness.ts';
import { handoffOf, json, messagesOf, startIntentSetup } from './assistant/intent-fixture.ts';
import { conversationJobs } from '../../src/conversations/index.ts';
import { nthPush, postReply, pushesTo, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

for (const kind of DEPLOYMENTS) {
  describe(`an intent's webhook (${kind})`, () => {
    let c: TestCarillon;
    let rx: Receiver;
    let sink: PushSink;
    let app: TestApp;
    let secret: string;

    let stop: () => Promise<void>;

    before(async () => {
      // Three attempts, a few ms apart: the queue's own backoff, shortened.
      ({ c, rx, sink, app, secret, stop } = await startIntentSetup(kind, { maxAttempts: 3, retryBase: 20, retryMax: 40 }));
    });
    after(() => stop());

    /** A thread of its own, a reply posted into it. */
    async function ask(text: string, userId = 'ana') {
      const device = await subscribe(c, sink, app, userId);
      await sendAnswerable(c, app, [device.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      const from = rx.received.length;
      const res = await postReply(c, { token, text });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return { device, conversationId, from };
    }

    test("the app's URL gets the message signed, with the thread; its answer is the thread's next message and a push", async () => {
      rx.answer(json(200, { text: 'Your parcel is at the Lyon depot: delivery tomorrow.', actions: [{ action: 'follow', title: 'Follow it', url: 'https://shop.example/t/1' }] }));
      const { device, conversationId, from } = await ask('Where is my parcel?');
      const pushed = await nthPush(sink, device.sinkId, 2);
      assert.equal(pushed.notification.body, 'Your parcel is at the Lyon depot: delivery tomorrow.');
      assert.equal(pushed.notification.tag, conversationId, 'in the same thread');
      assert.deepEqual(pushed.notification.actions.map((a: any) => a.action), ['follow', 'reply'], "the app's button, then the reply field");

      assert.equal(rx.received.length, from + 1);
      const request = rx.received[from]!;
      const payload = verify(secret, request);
      assert.equal(request.headers['webhook-id'], `intent.${conversationId}.1`);
      assert.equal(request.headers['content-type'], 'application/json');
      assert.equal(payload.type, 'conversation.intent');
      assert.equal(payload.data.appId, app.id);
      assert.equal(payload.data.conversationId, conversationId);
      assert.equal(payload.data.subscriptionId, device.id);
      assert.equal(payload.data.userId, 'ana');
      assert.equal(payload.data.intent, 'track_order');
      assert.equal(payload.data.language, 'en');
      assert.ok(payload.data.confidence >= 0.45 && payload.data.confidence <= 1);
      assert.deepEqual([payload.data.message.seq, payload.data.message.author, payload.data.message.text], [1, 'user', 'Where is my parcel?']);
      assert.deepEqual(payload.data.history.map((m: any) => [m.seq, m.author]), [[1, 'user']]);
      assert.ok(!request.body.includes('cr1.'), 'no reply token goes to the app');

      assert.deepEqual(await messagesOf(c, app, conversationId), [
        [1, 'user', 'Where is my parcel?'],
        [2, 'assistant', 'Your parcel is at the Lyon depot: delivery tomorrow.'],
      ]);
      assert.deepEqual(await handoffOf(c, app, conversationId), { state: 'open', reason: null });
    });

    test('500 and 503 are retried with the same webhook-id; the answer of the third attempt is pushed once', async () => {
      rx.answer({ status: 500 }, { status: 503 }, json(200, { text: 'Out for delivery: it reaches you before noon.' }));
      const { device, conversationId, from } = await ask('Track my order');
      const pushed = await nthPush(sink, device.sinkId, 2);
      assert.equal(pushed.notification.body, 'Out for delivery: it reaches you before noon.');
      const attempts = rx.received.slice(from);
      assert.equal(attempts.length, 3);
      assert.deepEqual(new Set(attempts.map((r) => r.headers['webhook-id'])), new Set([`intent.${conversationId}.1`]), 'one id: the app can drop a repeat');
      for (const r of attempts) assert.equal(verify(secret, r).data.intent, 'track_order');
      assert.deepEqual(await messagesOf(c, app, conversationId), [
        [1, 'user', 'Track my order'],
        [2, 'assistant', 'Out for delivery: it reaches you before noon.'],
      ]);
      // The job run again (a take-over after a crash) finds its work done: no request, no second answer.
      const { runIntent } = await import('../../src/conversations/intent-job.ts');
      await runIntent(c.ctx, { allowPrivate: () => true, timeoutMs: () => 300 }, { id: 'again', name: 'conversation.intent', data: { conversationId, seq: 1 }, attempts: 1, priority: 0 });
      assert.equal(rx.received.length, from + 3);
      assert.equal((await messagesOf(c, app, conversationId)).length, 2);
      assert.equal(pushesTo(sink, device.sinkId).length, 2);
    });

    test('no answer within intentTimeout, three times: the thread waits for a person, the reason on it', async () => {
      rx.answer('hang', 'hang', 'hang');
      // Read at each request: short for this test only, so a slow loopback handshake elsewhere is not taken for a hang.
      c.ctx.config.intentTimeout = 300;
      let handoff: { state: string; reason: string | null };
      let asked: Awaited<ReturnType<typeof ask>>;
      try {
        asked = await ask('Where is my package?');
        handoff = await eventually(async () => {
          const h = await handoffOf(c, app, asked.conversationId);
          assert.equal(h.state, 'waiting_for_person');
          return h;
        }, 15_000);
      } finally {
        c.ctx.config.intentTimeout = 5_000;
      }
      const { device, conversationId, from } = asked;
      assert.match(handoff.reason!, /^intent_unreachable: timeout: no answer within 300 ms \(after 3 attempts\)$/);
      assert.equal(rx.received.length, from + 3);
      assert.deepEqual(await messagesOf(c, app, conversationId), [[1, 'user', 'Where is my package?']]);
      assert.equal(pushesTo(sink, device.sinkId).length, 1, 'nothing pushed');
    });

    test('an answer that is not {text, actions?} hands the thread to a person with the pointer of what is wrong', async () => {
      const cases: [unknown, RegExp][] = [
        [json(200, { text: '' }), /^intent_bad_response: #\/text: /],
        [json(200, { text: 'ok', actions: [1, 2, 3, 4].map((i) => ({ action: `a${i}`, title: `A${i}` })) }), /^intent_bad_response: #\/actions: /],
        [{ status: 200, headers: { 'content-type': 'application/json' }, body: '{"text": "cut' }, /^intent_bad_response: the body is not JSON$/],
        [{ status: 200, headers: { 'content-type': 'text/html' }, body: '<p>Your parcel</p>' }, /^intent_bad_response: content-type text\/html, not application\/json$/],
        [{ status: 404 }, /^intent_refused: HTTP 404$/],
      ];
      for (const [answer, reason] of cases) {
        rx.answer(answer as any);
        const { device, conversationId, from } = await ask('Where is my parcel?', 'bo');
        const h = await eventually(async () => {
          const x = await handoffOf(c, app, conversationId);
          assert.equal(x.state, 'waiting_for_person');
          return x;
        }, 15_000);
        assert.match(h.reason!, reason);
        assert.equal(rx.received.length, from + 1, 'not retried: the app did answer');
        assert.equal((await messagesOf(c, app, conversationId)).length, 1);
        assert.equal(pushesTo(sink, device.sinkId).length, 1);
      }
    });

    test('204 means the app answers later, through POST …/messages', async () => {
      rx.answer({ status: 204, body: '' });
      const { device, conversationId, from } = await ask('What is the status of my delivery?');
      await eventually(async () => {
        const row = await c.ctx.store.db.selectFrom('conversation_messages').select('intent_done_at').where('conversation_id', '=', conversationId).where('seq', '=', 1).executeTakeFirstOrThrow();
        assert.notEqual(row.intent_done_at, null);
      }, 15_000);
      assert.equal(rx.received.length, from + 1);
      assert.deepEqual(await handoffOf(c, app, conversationId), { state: 'open', reason: null });
      const later = await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/messages`, { key: app.secretKey, body: { text: 'Found it: it ships tonight.' } });
      assert.equal(later.status, 201, JSON.stringify(later.body));
      assert.equal((await nthPush(sink, device.sinkId, 2)).notification.body, 'Found it: it ships tonight.');
    });

    test('a private address is refused unless the operator allows it (allowPrivateEndpoints), and nothing is sent', async () => {
      const device = await subscribe(c, sink, app, 'cy');
      await sendAnswerable(c, app, [device.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      const from = rx.received.length;
      // The policy is read at each intent request; the pushes' transport keeps the one it was made with.
      c.ctx.config.allowPrivateEndpoints = false;
      try {
        assert.equal((await postReply(c, { token, text: 'Where is my parcel?' })).status, 200);
        const h = await eventually(async () => {
          const x = await handoffOf(c, app, conversationId);
          assert.equal(x.state, 'waiting_for_person');
          return x;
        }, 15_000);
        assert.match(h.reason!, /^intent_refused: private_address: /);
      } finally {
        c.ctx.config.allowPrivateEndpoints = true;
      }
      assert.equal(rx.received.length, from, 'push.test resolves to 127.0.0.1: never connected to');
    });
    test('an intent whose job the queue lost is found again by the reconcile pass and carried out once', async () => {
      const device = await subscribe(c, sink, app, 'eve');
      await sendAnswerable(c, app, [device.id], 'builtin');
      const { conversationId } = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      const db = c.ctx.store.db;
      const now = c.ctx.now();
      // Matched, its intent stored, its job lost (a Redis flushed, say).
      const intent = { name: 'track_order', action: { webhook: `${new URL(rx.url).origin}/track` }, language: 'en', confidence: 0.9 };
      await db.insertInto('conversation_messages').values({ conversation_id: conversationId, seq: 1, author: 'user', text: 'Where is my parcel?', actions: null, client_id: 'lost-1', handled_at: now - 1, notification_id: null, created_at: now - 1, intent: JSON.stringify(intent), intent_done_at: null }).execute();
      await db.updateTable('conversations').set({ next_seq: 2 }).where('id', '=', conversationId).execute();
      const kind = conversationJobs(c.ctx).find((k) => k.name === 'conversation.intent')!;
      const found = await kind.reconcile!(now);
      assert.deepEqual(found.map((j) => j.data), [{ conversationId, seq: 1 }]);
      const from = rx.received.length;
      rx.answer(json(200, { text: 'It is on its way.' }));
      await c.ctx.queue.add([...found, ...found]);
      assert.equal((await nthPush(sink, device.sinkId, 2)).notification.body, 'It is on its way.');
      assert.deepEqual(await kind.reconcile!(c.ctx.now() + 1), [], 'done: nothing left to find');
      assert.equal(rx.received.length, from + 1);
      assert.deepEqual(await messagesOf(c, app, conversationId), [
        [1, 'user', 'Where is my parcel?'],
        [2, 'assistant', 'It is on its way.'],
      ]);
    });
  });
}
