/**
 * The app answers a `conversation.message` in the body of its endpoint's 2xx response: the
 * body `{text, actions?}` is the thread's next message and comes back as a push, once, however
 * often the delivery is retried or replayed, and whichever of several endpoints answers first.
 * A body that is no answer leaves the thread unanswered and says why in the delivery log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { plant, queueIdle, startReceiver, startWebhookCarillon, type Answer, type Receiver } from '../webhooks/harness.ts';
import { nthPush, postReply, pushesTo, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

const json = (body: unknown, status = 200): Answer => ({ status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });

for (const kind of DEPLOYMENTS) {
  describe(`an answer in the webhook's response (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    const receivers: Receiver[] = [];
    before(async () => {
      c = await startWebhookCarillon(kind);
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      for (const rx of receivers) await rx.close();
      await sink.close();
    });

    /** An endpoint of the app on a receiver of its own, taking `events` (null: all of them). */
    async function endpoint(app: TestApp, events: string[] | null = ['conversation.message']): Promise<{ rx: Receiver; id: string }> {
      const rx = await startReceiver({ tls: true });
      receivers.push(rx);
      const res = await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, ...(events ? { events } : {}) } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return { rx, id: res.body.id };
    }
    const log = async (app: TestApp, endpointId: string) => (await c.api('GET', `/v1/apps/${app.id}/webhooks/${endpointId}/messages`, { key: app.secretKey })).body.data as any[];
    const thread = async (app: TestApp, id: string) => (await c.api('GET', `/v1/apps/${app.id}/conversations/${id}`, { key: app.secretKey })).body;
    /** A thread of `user`'s device, replied to once: what the app's endpoints are sent. */
    async function replied(app: TestApp, user: string, text = 'Can you deliver on Friday instead?') {
      const device = await subscribe(c, sink, app, user);
      await sendAnswerable(c, app, [device.id], 'webhook');
      const { token, conversationId } = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
      const res = await postReply(c, { token, text });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return { device, conversationId: conversationId as string };
    }
    /** The delivery log's only message of the endpoint, once its attempts reach `n` and it is delivered. */
    async function delivered(app: TestApp, endpointId: string, n = 1): Promise<any> {
      return eventually(async () => {
        const [m] = await log(app, endpointId);
        assert.equal(m?.status, 'delivered');
        assert.equal(m.attempts, n);
        return m;
      }, 15_000);
    }

    test('the JSON body is the thread’s next message, pushed into the thread; a retry after a failure and a replay answer once', async () => {
      const app = await c.createApp();
      const ep = await endpoint(app);
      const answer = { text: 'Friday works: between 9 and 12.', actions: [{ action: 'ok', title: 'Great' }] };
      // The first attempt fails, with an answer in its body all the same: a 5xx body is not read.
      ep.rx.answer(json({ text: 'not this one' }, 503), json(answer), json({ text: 'a second answer to the same message' }));
      const { device, conversationId } = await replied(app, 'ana');
      await eventually(async () => assert.equal((await log(app, ep.id))[0]?.attempts, 1), 15_000);
      const [first] = await log(app, ep.id);
      assert.equal(first.status, 'pending');
      assert.equal(first.attemptLog[0].answer, undefined, 'a failed attempt reads no answer');

      // The retry, now rather than on the schedule.
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/webhooks/${ep.id}/replay`, { key: app.secretKey, body: { messageId: first.id } })).status, 202);
      const m = await delivered(app, ep.id, 2);
      assert.deepEqual(m.attemptLog[1].answer, { outcome: 'answered', seq: 2 });
      const pushed = await nthPush(sink, device.sinkId, 2);
      assert.equal(pushed.notification.body, 'Friday works: between 9 and 12.');
      assert.equal(pushed.notification.tag, conversationId, 'the same thread');
      assert.deepEqual(pushed.notification.actions.map((a: any) => a.action), ['ok', 'reply']);
      assert.equal(pushed.notification.data.reply.conversationId, conversationId, 'a new token for the same thread');

      // Replayed: delivered again, answered again in the body, not taken twice.
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/webhooks/${ep.id}/replay`, { key: app.secretKey, body: { messageId: first.id } })).status, 202);
      const again = await delivered(app, ep.id, 3);
      assert.deepEqual(again.attemptLog[2].answer, { outcome: 'duplicate', seq: 2 });
      await queueIdle(c);
      const t = await thread(app, conversationId);
      assert.deepEqual(t.messages.map((x: any) => [x.seq, x.author, x.text]), [
        [1, 'user', 'Can you deliver on Friday instead?'],
        [2, 'assistant', 'Friday works: between 9 and 12.'],
      ]);
      assert.equal(pushesTo(sink, device.sinkId).length, 2, 'one answer, one push');
    });

    test('with two endpoints answering, the first valid answer is the one taken, the other noted as a duplicate', async () => {
      const app = await c.createApp();
      const a = await endpoint(app);
      const b = await endpoint(app);
      a.rx.answer(json({ text: 'From A' }));
      b.rx.answer(json({ text: 'From B' }));
      const { device, conversationId } = await replied(app, 'bo');
      const [ma, mb] = [await delivered(app, a.id), await delivered(app, b.id)];
      const notes = [ma.attemptLog[0].answer, mb.attemptLog[0].answer];
      assert.deepEqual(notes.map((n) => n.outcome).sort(), ['answered', 'duplicate']);
      assert.ok(notes.every((n) => n.seq === 2), JSON.stringify(notes));
      const taken = notes[0].outcome === 'answered' ? 'From A' : 'From B';
      assert.equal((await nthPush(sink, device.sinkId, 2)).notification.body, taken);
      await queueIdle(c);
      assert.deepEqual((await thread(app, conversationId)).messages.map((x: any) => x.text), ['Can you deliver on Friday instead?', taken]);
      assert.equal(pushesTo(sink, device.sinkId).length, 2);
    });

    test('a body that is no answer: the delivery succeeds, the thread stays unanswered, the log says why; an empty body means later', async () => {
      const app = await c.createApp();
      const cases: [Answer, Record<string, unknown> | undefined][] = [
        [json({ text: '' }), { outcome: 'invalid', reason: /^#\/text: / }],
        [json({ text: 'x'.repeat(1001) }), { outcome: 'invalid', reason: /^#\/text: / }],
        [json({ text: 'Hi', actions: [{ action: 'x', title: 'Open', url: 'javascript:alert(1)' }] }), { outcome: 'invalid', reason: /^#\/actions\/0\/url: / }],
        [json({ text: 'Hi', colour: 'red' }), { outcome: 'invalid', reason: /^#\/colour: / }],
        [json({ text: 'é'.repeat(1000) }), { outcome: 'invalid', reason: /passes 2000 bytes/ }],
        [{ status: 200, headers: { 'content-type': 'application/json' }, body: '{"text": "cut' }, { outcome: 'invalid', reason: /not JSON/ }],
        [{ status: 200, headers: { 'content-type': 'text/plain' }, body: '{"text":"Hi"}' }, { outcome: 'ignored', reason: /text\/plain, not application\/json/ }],
        [{ status: 204, body: '' }, undefined],
        [{ status: 202, headers: { 'content-type': 'application/json' }, body: '' }, undefined],
      ];
      for (const [i, [given, expected]] of cases.entries()) {
        const ep = await endpoint(app);
        ep.rx.answer(given);
        const { device, conversationId } = await replied(app, `user-${i}`);
        const m = await delivered(app, ep.id);
        const note = m.attemptLog[0].answer;
        if (expected === undefined) assert.equal(note, undefined, `case ${i}: nothing to note`);
        else {
          assert.equal(note.outcome, expected.outcome, `case ${i}: ${JSON.stringify(note)}`);
          assert.match(note.reason, expected.reason as RegExp, `case ${i}`);
        }
        await queueIdle(c);
        const t = await thread(app, conversationId);
        assert.deepEqual(t.messages.map((x: any) => x.author), ['user'], `case ${i}: not answered`);
        assert.equal(t.state, 'open');
        assert.equal(pushesTo(sink, device.sinkId).length, 1, `case ${i}: no push`);
        // The endpoint is not reached for the next cases.
        assert.equal((await c.api('PATCH', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey, body: { enabled: false } })).status, 200);
        if (i === cases.length - 1) {
          // Answered later, as before: the asynchronous route.
          const later = await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/messages`, { key: app.secretKey, body: { text: 'Later, then.' } });
          assert.equal(later.status, 201);
          assert.equal((await nthPush(sink, device.sinkId, 2)).notification.body, 'Later, then.');
        }
      }
    });

    test('an answer to a thread a person took over meanwhile is dropped with a reason, as the messages route refuses it', async () => {
      const app = await c.createApp();
      const ep = await endpoint(app);
      ep.rx.answer({ status: 204 }, json({ text: 'The bot again' }));
      const { device, conversationId } = await replied(app, 'dee');
      const m = await delivered(app, ep.id);
      const operator = await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email: 'holder@example.org', password: 'correct horse battery staple' } });
      assert.equal(operator.status, 201, JSON.stringify(operator.body));
      // As POST …/take-over leaves it (test/conversations/take-over.test.ts covers the route).
      await c.ctx.store.db.updateTable('conversations').set({ state: 'waiting_for_person', assignee: operator.body.id, taken_at: Date.now() }).where('id', '=', conversationId).execute();
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/webhooks/${ep.id}/replay`, { key: app.secretKey, body: { messageId: m.id } })).status, 202);
      const again = await delivered(app, ep.id, 2);
      assert.equal(again.attemptLog[1].answer.outcome, 'held');
      assert.match(again.attemptLog[1].answer.reason, /a person holds/);
      await queueIdle(c);
      assert.deepEqual((await thread(app, conversationId)).messages.map((x: any) => x.author), ['user']);
      assert.equal(pushesTo(sink, device.sinkId).length, 1);
    });

    test('an answer to a thread closed meanwhile is dropped with a reason, not retried', async () => {
      const app = await c.createApp();
      const ep = await endpoint(app);
      ep.rx.answer({ status: 204 }, json({ text: 'Too late' }));
      const { device, conversationId } = await replied(app, 'cy');
      const m = await delivered(app, ep.id);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/close`, { key: app.secretKey })).status, 200);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/webhooks/${ep.id}/replay`, { key: app.secretKey, body: { messageId: m.id } })).status, 202);
      const again = await delivered(app, ep.id, 2);
      assert.equal(again.attemptLog[1].answer.outcome, 'closed');
      assert.match(again.attemptLog[1].answer.reason, /closed/);
      await queueIdle(c);
      assert.equal(ep.rx.received.length, 2, 'no retry after the dropped answer');
      assert.deepEqual((await thread(app, conversationId)).messages.map((x: any) => x.author), ['user']);
      assert.equal(pushesTo(sink, device.sinkId).length, 1);
    });

    test('an answer that cannot be stored: the attempt is recorded once (the event is not sent again), the thread waits for a person', async () => {
      const app = await c.createApp();
      const ep = await endpoint(app);
      ep.rx.setDefault(json({ text: 'An answer the database refuses' }));
      const postgres = kind !== 'sqlite';
      // A trigger that refuses the assistant's messages: the store throws inside the hook, as a full disk or a lost connection would.
      const db = c.ctx.store.db;
      if (postgres) {
        await sql`create function refuse_answers() returns trigger language plpgsql as $$ begin raise exception 'answers refused by the test'; end $$`.execute(db);
        await sql`create trigger refuse_answers before insert on conversation_messages for each row when (new.author = 'assistant') execute function refuse_answers()`.execute(db);
      } else {
        await sql`create trigger refuse_answers before insert on conversation_messages when new.author = 'assistant' begin select raise(abort, 'answers refused by the test'); end`.execute(db);
      }
      try {
        const { device, conversationId } = await replied(app, 'eve');
        const m = await delivered(app, ep.id);
        assert.deepEqual(m.attemptLog.map((a: any) => [a.status, a.answer?.outcome]), [[200, 'failed']]);
        assert.match(m.attemptLog[0].answer.reason, /could not be stored/);
        await queueIdle(c);
        assert.equal(ep.rx.received.length, 1, 'delivered once: the event is not sent again');
        const t = await thread(app, conversationId);
        assert.deepEqual(t.messages.map((x: any) => x.author), ['user'], 'nothing of the answer is kept');
        assert.equal(t.state, 'waiting_for_person');
        assert.equal(t.handoffReason, 'answer_failed');
        assert.equal(pushesTo(sink, device.sinkId).length, 1, 'no push');
      } finally {
        await sql`drop trigger refuse_answers${sql.raw(postgres ? ' on conversation_messages' : '')}`.execute(db);
        if (postgres) await sql`drop function refuse_answers()`.execute(db);
      }
    });

    /** Runs `fn` with a trigger of the test's (PostgreSQL: a function and its trigger; SQLite: the trigger), dropped after. */
    async function withTrigger(name: string, table: string, pg: { fn: string; trigger: string }, sqlite: string, fn: () => Promise<void>): Promise<void> {
      const db = c.ctx.store.db;
      const postgres = kind !== 'sqlite';
      if (postgres) {
        await sql.raw(pg.fn).execute(db);
        await sql.raw(pg.trigger).execute(db);
      } else await sql.raw(sqlite).execute(db);
      try {
        await fn();
      } finally {
        await sql.raw(`drop trigger ${name}${postgres ? ` on ${table}` : ''}`).execute(db);
        if (postgres) await sql.raw(`drop function ${name}()`).execute(db);
      }
    }

    test('an answer that fails with a transient error (a serialization failure; SQLite rolling the transaction back) is taken when the delivery is retried', async () => {
      const app = await c.createApp();
      const ep = await endpoint(app);
      // The first answer meets the error, the delivery's retry brings the second.
      ep.rx.answer(json({ text: 'Meets a conflict' }), json({ text: 'Friday works.' }));
      await withTrigger(
        'conflict_answers',
        'conversation_messages',
        {
          fn: `create function conflict_answers() returns trigger language plpgsql as $$ begin raise exception 'could not serialize access' using errcode = '40001'; end $$`,
          trigger: `create trigger conflict_answers before insert on conversation_messages for each row when (new.text = 'Meets a conflict') execute function conflict_answers()`,
        },
        // RAISE(ROLLBACK) ends the whole transaction, its savepoints with it, as SQLITE_FULL does.
        `create trigger conflict_answers before insert on conversation_messages when new.text = 'Meets a conflict' begin select raise(rollback, 'the transaction is rolled back by the test'); end`,
        async () => {
          const { device, conversationId } = await replied(app, 'fay');
          const m = await delivered(app, ep.id);
          assert.equal(ep.rx.received.length, 2, 'the delivery was made again');
          assert.deepEqual(m.attemptLog.map((a: any) => [a.status, a.answer]), [[200, { outcome: 'answered', seq: 2 }]], 'the attempt that met the error is not recorded');
          await queueIdle(c);
          const t = await thread(app, conversationId);
          assert.deepEqual(t.messages.map((x: any) => [x.author, x.text]), [['user', 'Can you deliver on Friday instead?'], ['assistant', 'Friday works.']]);
          assert.deepEqual([t.state, t.handoffReason], ['open', null], 'no hand-off to a person');
          assert.equal((await nthPush(sink, device.sinkId, 2)).notification.body, 'Friday works.');
        },
      );
    });

    test('an answer that cannot be stored, in a thread the hand-off does not reach: the log does not say it waits for a person', async () => {
      const app = await c.createApp();
      const ep = await endpoint(app);
      ep.rx.setDefault(json({ text: 'Refused by the test' }));
      // The answer is refused; the hand-off's update changes no row (a trigger skips it, as a thread closed meanwhile would be missed).
      await withTrigger(
        'refuse_some',
        'conversation_messages',
        {
          fn: `create function refuse_some() returns trigger language plpgsql as $$ begin raise exception 'answers refused by the test'; end $$`,
          trigger: `create trigger refuse_some before insert on conversation_messages for each row when (new.text = 'Refused by the test') execute function refuse_some()`,
        },
        `create trigger refuse_some before insert on conversation_messages when new.text = 'Refused by the test' begin select raise(abort, 'answers refused by the test'); end`,
        () =>
          withTrigger(
            'skip_handoff',
            'conversations',
            {
              fn: `create function skip_handoff() returns trigger language plpgsql as $$ begin return null; end $$`,
              trigger: `create trigger skip_handoff before update on conversations for each row when (new.handoff_reason = 'answer_failed') execute function skip_handoff()`,
            },
            `create trigger skip_handoff before update on conversations when new.handoff_reason = 'answer_failed' begin select raise(ignore); end`,
            async () => {
              const { conversationId } = await replied(app, 'gus');
              const m = await delivered(app, ep.id);
              assert.deepEqual(m.attemptLog.map((a: any) => [a.status, a.answer]), [[200, { outcome: 'failed', reason: 'the answer could not be stored' }]]);
              await queueIdle(c);
              assert.equal((await thread(app, conversationId)).state, 'open');
            },
          ),
      );
    });

    test('other events’ bodies stay ignored', async () => {
      const app = await c.createApp();
      const ep = await endpoint(app, null);
      ep.rx.setDefault(json({ text: 'Not an answer to anything' }));
      await plant(c, app.id, [{ type: 'delivered' }]);
      const m = await delivered(app, ep.id);
      assert.notEqual(m.type, 'conversation.message');
      assert.equal('answer' in m.attemptLog[0], false);
    });
  });
}
