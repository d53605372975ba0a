/**
 * What the API shows of a thread (docs/conversations.md#the-api): why it waits for a person
 * and where its answers go, which person wrote each of a person's messages, a hold that only
 * a person lifts (or close, which lets go of it), the app's server told of a held thread in
 * conversation.message, and the messages read by pages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { queueIdle, startReceiver, startWebhookCarillon, verify, type Receiver } from '../webhooks/harness.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';
import { nthPush, postReply, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

const PASSWORD = 'a long enough passphrase';

type As = (method: string, url: string, body?: unknown) => Promise<{ status: number; body: any }>;

for (const kind of DEPLOYMENTS) {
  describe(`a conversation as the API shows it (${kind})`, () => {
    let c: TestCarillon;
    let rx: Receiver;
    let sink: PushSink;
    let app: TestApp;
    let alice: As;
    let aliceId: string;
    before(async () => {
      c = await startWebhookCarillon(kind, { loginAttemptsPerAddress: 1000, replyPerToken: 0 });
      rx = await startReceiver({ tls: true });
      sink = await startPushSink();
      app = await c.createApp();
      const made = await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email: 'alice@example.org', password: PASSWORD } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      aliceId = made.body.id;
      assert.ok((await c.api('POST', `/v1/apps/${app.id}/members`, { key: c.adminKey, body: { email: 'alice@example.org', role: 'editor' } })).status < 300);
      const res = await c.api('POST', '/v1/session', { body: { email: 'alice@example.org', password: PASSWORD } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      alice = (method, url, body) => c.api(method, url, { headers: { cookie, 'x-csrf-token': res.body.csrfToken }, ...(body !== undefined ? { body } : {}) });
    });
    after(async () => {
      await c.stop();
      await rx.close();
      await sink.close();
    });

    const read = async (url: string) => (await c.api('GET', url, { key: app.secretKey })).body;

    test('a held thread: the event names its holder, a key cannot hand it back, the person’s answer names them, and close lets go of the hold', async () => {
      const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['conversation.message'] } })).body;
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'webhook', { reply: { placeholder: 'Ask us anything', assistant: 'webhook', answerTo: 'user' } });
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const url = `/v1/apps/${app.id}/conversations/${conversationId}`;
      assert.equal((await postReply(c, { token, text: 'Can I talk to someone?' })).status, 200);
      const first = await eventually(() => verify(hook.secret, rx.received[0]!), 15_000);
      assert.equal(first.data.assignee, null, 'no one holds it yet');
      const opened = await read(url);
      assert.equal(opened.answerTo, 'user');
      assert.equal(opened.handoffReason, null);

      const taken = await alice('POST', `${url}/take-over`);
      assert.equal(taken.status, 200, JSON.stringify(taken.body));
      assert.equal((await postReply(c, { token, text: 'Hello?' })).status, 200);
      const held = await eventually(() => {
        assert.equal(rx.received.length, 2);
        return verify(hook.secret, rx.received[1]!);
      }, 15_000);
      assert.equal(held.data.state, 'waiting_for_person');
      assert.deepEqual(held.data.assignee, { operatorId: aliceId, email: 'alice@example.org', takenAt: taken.body.assignee.takenAt }, 'the app’s server is told a person has it');

      const answered = await alice('POST', `${url}/messages`, { text: 'Alice here: how can I help?' });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
      assert.deepEqual(answered.body.operator, { operatorId: aliceId, email: 'alice@example.org' });

      // The app's server may not lift a person's hold: refused, and nothing changes.
      const byKey = await c.api('POST', `${url}/release`, { key: app.secretKey });
      assert.equal(byKey.status, 409, JSON.stringify(byKey.body));
      assert.equal(byKey.body.code, 'conversation_held');
      assert.equal(byKey.body.assignee, 'alice@example.org');
      assert.match(byKey.body.detail, /a person of the app hands it back/);
      const still = await read(url);
      assert.equal(still.state, 'waiting_for_person');
      assert.equal(still.assignee.email, 'alice@example.org');
      assert.deepEqual(
        still.messages.map((m: any) => [m.seq, m.author, m.operator]),
        [
          [1, 'user', undefined],
          [2, 'user', undefined],
          [3, 'person', { operatorId: aliceId, email: 'alice@example.org' }],
        ],
      );

      // Close ends the hold: the thread is under Closed, no longer under its holder's Mine; the answer still names who wrote it.
      const closed = await c.api('POST', `${url}/close`, { key: app.secretKey });
      assert.equal(closed.status, 200, JSON.stringify(closed.body));
      assert.equal(closed.body.state, 'closed');
      assert.equal(closed.body.assignee, null);
      assert.deepEqual(closed.body.messages[2].operator, { operatorId: aliceId, email: 'alice@example.org' });
      const mine = (await alice('GET', `/v1/apps/${app.id}/conversations?assignee=me`)).body.data.map((x: any) => x.id);
      assert.equal(mine.includes(conversationId), false, JSON.stringify(mine));
      const shut = (await alice('GET', `/v1/apps/${app.id}/conversations?state=closed`)).body.data.map((x: any) => x.id);
      assert.ok(shut.includes(conversationId));
      assert.equal((await c.api('PATCH', `/v1/apps/${app.id}/webhooks/${hook.id}`, { key: app.secretKey, body: { enabled: false } })).status, 200);
    });

    test('a hand-off no one took is handed back with the key; the reason for it is on the thread until then', async () => {
      assert.equal((await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: DELIVERY_KB })).status, 200);
      const bo = await subscribe(c, sink, app, 'bo');
      await sendAnswerable(c, app, [bo.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, bo.sinkId, 1)).notification.data.reply;
      const url = `/v1/apps/${app.id}/conversations/${conversationId}`;
      assert.equal((await postReply(c, { token, text: 'Does the captain juggle pineapples?' })).status, 200);
      const waiting = await eventually(async () => {
        const t = await read(url);
        assert.equal(t.state, 'waiting_for_person');
        return t;
      }, 15_000);
      assert.equal(waiting.handoffReason, 'low_confidence');
      assert.equal(waiting.answerTo, 'device');
      assert.equal(waiting.assignee, null);
      const released = await c.api('POST', `${url}/release`, { key: app.secretKey });
      assert.equal(released.status, 200, JSON.stringify(released.body));
      assert.equal(released.body.state, 'open');
    });

    test('a removed operator’s answers stay a person’s, no longer named', async () => {
      const made = await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email: 'dora@example.org', password: PASSWORD } });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.ok((await c.api('POST', `/v1/apps/${app.id}/members`, { key: c.adminKey, body: { email: 'dora@example.org', role: 'editor' } })).status < 300);
      const session = await c.api('POST', '/v1/session', { body: { email: 'dora@example.org', password: PASSWORD } });
      const cookie = String(session.headers['set-cookie']).split(';')[0]!;
      const di = await subscribe(c, sink, app, 'di');
      await sendAnswerable(c, app, [di.id], 'webhook');
      const { token, conversationId } = (await nthPush(sink, di.sinkId, 1)).notification.data.reply;
      const url = `/v1/apps/${app.id}/conversations/${conversationId}`;
      assert.equal((await postReply(c, { token, text: 'Anyone there?' })).status, 200);
      const answered = await c.api('POST', `${url}/messages`, { headers: { cookie, 'x-csrf-token': session.body.csrfToken }, body: { text: 'Dora here.' } });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
      assert.equal((await read(url)).messages[1].operator.email, 'dora@example.org');
      assert.equal((await c.api('DELETE', `/v1/operators/${made.body.id}`, { key: c.adminKey })).status, 204);
      assert.deepEqual((await read(url)).messages.map((m: any) => [m.author, m.text, m.operator]), [['user', 'Anyone there?', undefined], ['person', 'Dora here.', null]]);
    });

    test('the messages come by pages: the last 100 by default, `before` and `after` a seq, `earlier` and `later` to go on', async () => {
      const cy = await subscribe(c, sink, app, 'cy');
      await sendAnswerable(c, app, [cy.id], 'webhook');
      const { token, conversationId } = (await nthPush(sink, cy.sinkId, 1)).notification.data.reply;
      const url = `/v1/apps/${app.id}/conversations/${conversationId}`;
      assert.equal((await postReply(c, { token, text: 'Question 1' })).status, 200);
      for (let i = 2; i <= 12; i++) {
        const res = i % 2 === 0 ? await alice('POST', `${url}/messages`, { text: `Answer ${i}` }) : await postReply(c, { token, text: `Question ${i}` });
        assert.ok(res.status === 201 || res.status === 200, JSON.stringify(res.body));
      }
      await queueIdle(c);
      const page = async (query: string) => {
        const t = await read(`${url}?${query}`);
        return { seqs: t.messages.map((m: any) => m.seq), earlier: t.earlier, later: t.later };
      };
      const all = await page('');
      assert.deepEqual(all, { seqs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], earlier: null, later: null });
      assert.deepEqual(await page('limit=5'), { seqs: [8, 9, 10, 11, 12], earlier: 8, later: null }, 'the last messages first');
      assert.deepEqual(await page('limit=5&before=8'), { seqs: [3, 4, 5, 6, 7], earlier: 3, later: 7 });
      assert.deepEqual(await page('limit=5&before=3'), { seqs: [1, 2], earlier: null, later: 2 });
      assert.deepEqual(await page('limit=5&after=0'), { seqs: [1, 2, 3, 4, 5], earlier: null, later: 5 });
      assert.deepEqual(await page('after=10'), { seqs: [11, 12], earlier: 11, later: null }, 'what a client polling from seq 10 lacks');
      assert.deepEqual(await page('after=12'), { seqs: [], earlier: 13, later: null }, 'a poll that finds nothing new can still page back');
      assert.deepEqual(await page('before=1'), { seqs: [], earlier: null, later: 0 });
      assert.deepEqual(await page('after=20'), { seqs: [], earlier: 21, later: null });
      assert.deepEqual(await page('after=3&before=6'), { seqs: [4, 5], earlier: 4, later: 5 });
      for (const query of ['limit=0', 'limit=501', 'before=0', 'after=-1', 'cursor=x']) {
        const res = await c.api('GET', `${url}?${query}`, { key: app.secretKey });
        assert.equal(res.status, 400, `${query}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body.code, 'invalid_request', query);
      }
      assert.equal((await page('limit=500')).seqs.length, 12);
      // A long thread, its rows written as replies leave them: a read without `limit` is its last 100.
      const rows = Array.from({ length: 108 }, (_, i) => ({ conversation_id: conversationId, seq: 13 + i, author: 'user' as const, text: `Question ${13 + i}`, actions: null, client_id: `long-${i}`, handled_at: Date.now(), notification_id: null, created_at: Date.now() }));
      await c.ctx.store.db.insertInto('conversation_messages').values(rows).execute();
      await c.ctx.store.db.updateTable('conversations').set({ next_seq: 121 }).where('id', '=', conversationId).execute();
      const long = await page('');
      assert.equal(long.seqs.length, 100);
      assert.deepEqual([long.seqs[0], long.seqs.at(-1), long.earlier, long.later], [21, 120, 21, null]);
      assert.equal((await page('limit=500')).seqs.length, 120);
    });
  });
}
