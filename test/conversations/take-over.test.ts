/**
 * A person takes a thread over from the assistant (docs/conversations.md#the-inbox): it
 * waits for them, the list and the thread name them, the app's server (an API key) and
 * other people are refused with conversation_held, the built-in assistant stays out of it,
 * and handing it back (release) gives it to the assistant again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { startReceiver, startWebhookCarillon, verify, type Receiver } from '../webhooks/harness.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';
import { nthPush, postReply, pushesTo, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

const PASSWORD = 'a long enough passphrase';

type As = (method: string, url: string, body?: unknown) => Promise<{ status: number; body: any }>;

for (const kind of STORES) {
  describe(`taking a conversation over (${kind})`, () => {
    let c: TestCarillon;
    let rx: Receiver;
    let sink: PushSink;
    let app: TestApp;
    let alice: As;
    let bruno: As;
    let viewer: As;
    let aliceId: string;
    before(async () => {
      c = await startWebhookCarillon(kind, { loginAttemptsPerAddress: 1000 });
      rx = await startReceiver({ tls: true });
      sink = await startPushSink();
      app = await c.createApp();
      const as = async (email: string, role: string): Promise<[As, string]> => {
        const made = await c.api('POST', '/v1/operators', { key: c.adminKey, body: { email, password: PASSWORD } });
        assert.equal(made.status, 201, JSON.stringify(made.body));
        assert.ok((await c.api('POST', `/v1/apps/${app.id}/members`, { key: c.adminKey, body: { email, role } })).status < 300);
        const res = await c.api('POST', '/v1/session', { body: { email, password: PASSWORD } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const cookie = String(res.headers['set-cookie']).split(';')[0]!;
        return [(method, url, body) => c.api(method, url, { headers: { cookie, 'x-csrf-token': res.body.csrfToken }, ...(body !== undefined ? { body } : {}) }), made.body.id];
      };
      [alice, aliceId] = await as('alice@example.org', 'editor');
      [bruno] = await as('bruno@example.org', 'editor');
      [viewer] = await as('vera@example.org', 'viewer');
    });
    after(async () => {
      await c.stop();
      await rx.close();
      await sink.close();
    });

    const messagesOf = async (url: string) => (await c.api('GET', url, { key: app.secretKey })).body.messages.map((m: any) => [m.seq, m.author, m.text]);

    test("a held thread is the holder's: the app's server and other people are refused, nothing is stored; handed back, the server answers again", async () => {
      const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['conversation.message'] } })).body;
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'webhook');
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const url = `/v1/apps/${app.id}/conversations/${conversationId}`;
      assert.equal((await postReply(c, { token, text: 'Can I talk to someone?' })).status, 200);
      assert.equal((await c.api('GET', url, { key: app.secretKey })).body.assignee, null);

      // A viewer reads the inbox but cannot take a thread; an API key is no person.
      const refused = await viewer('POST', `${url}/take-over`);
      assert.equal(refused.status, 403, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'role_forbidden');
      const byKey = await c.api('POST', `${url}/take-over`, { key: app.secretKey });
      assert.equal(byKey.status, 403);
      assert.equal(byKey.body.code, 'forbidden');

      const taken = await alice('POST', `${url}/take-over`);
      assert.equal(taken.status, 200, JSON.stringify(taken.body));
      assert.equal(taken.body.state, 'waiting_for_person');
      assert.equal(taken.body.assignee.email, 'alice@example.org');
      assert.equal(taken.body.assignee.operatorId, aliceId);
      assert.deepEqual(taken.body.messages.map((m: any) => m.text), ['Can I talk to someone?']);
      const again = await alice('POST', `${url}/take-over`);
      assert.equal(again.status, 200, 'taking a thread one holds changes nothing');
      assert.equal(again.body.assignee.takenAt, taken.body.assignee.takenAt);

      // The app's server hears of the next reply, told the thread waits for a person, and its answer is refused.
      assert.equal((await postReply(c, { token, text: 'Hello?' })).status, 200);
      const event = await eventually(() => {
        assert.equal(rx.received.length, 2);
        return verify(hook.secret, rx.received[1]!);
      }, 15_000);
      assert.equal(event.data.state, 'waiting_for_person');
      const server = await c.api('POST', `${url}/messages`, { key: app.secretKey, body: { text: 'A bot answer' } });
      assert.equal(server.status, 409, JSON.stringify(server.body));
      assert.equal(server.body.code, 'conversation_held');
      assert.equal(server.body.assignee, 'alice@example.org');
      const other = await bruno('POST', `${url}/messages`, { text: 'Bruno here' });
      assert.equal(other.status, 409);
      assert.equal(other.body.code, 'conversation_held');
      const grab = await bruno('POST', `${url}/take-over`);
      assert.equal(grab.status, 409);
      assert.equal(grab.body.code, 'conversation_held');
      assert.match(grab.body.detail, /alice@example\.org/);
      assert.deepEqual(await messagesOf(url), [[1, 'user', 'Can I talk to someone?'], [2, 'user', 'Hello?']], 'refused answers store nothing');
      assert.equal((await c.api('GET', url, { key: app.secretKey })).body.assignee.email, 'alice@example.org', 'a refused take-over leaves the holder');

      const answered = await alice('POST', `${url}/messages`, { text: 'Alice from support: how can I help?' });
      assert.equal(answered.status, 201, JSON.stringify(answered.body));
      assert.equal(answered.body.author, 'person');
      assert.equal(answered.body.seq, 3);
      assert.equal((await nthPush(sink, ana.sinkId, 2)).notification.body, 'Alice from support: how can I help?');

      const released = await alice('POST', `${url}/release`);
      assert.equal(released.status, 200, JSON.stringify(released.body));
      assert.equal(released.body.state, 'open');
      assert.equal(released.body.assignee, null);
      const back = await c.api('POST', `${url}/messages`, { key: app.secretKey, body: { text: 'The assistant again.' } });
      assert.equal(back.status, 201, JSON.stringify(back.body));
      assert.equal(back.body.author, 'assistant');
      assert.equal((await bruno('POST', `${url}/take-over`)).body.assignee.email, 'bruno@example.org', 'handed back, another person may take it');

      assert.equal((await bruno('POST', `${url}/close`)).body.state, 'closed');
      assert.equal((await alice('POST', `${url}/take-over`)).body.code, 'conversation_closed');
      assert.equal((await alice('POST', `${url}/release`)).body.code, 'conversation_closed');
    });

    test('the list keeps the threads one holds (assignee=me) or no one holds (assignee=none), with the holder in each summary', async () => {
      const bo = await subscribe(c, sink, app, 'bo');
      await sendAnswerable(c, app, [bo.id], 'webhook');
      await nthPush(sink, bo.sinkId, 1);
      await sendAnswerable(c, app, [bo.id], 'webhook');
      await nthPush(sink, bo.sinkId, 2);
      const [second, first] = (await c.api('GET', `/v1/apps/${app.id}/conversations?limit=2`, { key: app.secretKey })).body.data;
      assert.equal((await alice('POST', `/v1/apps/${app.id}/conversations/${first.id}/take-over`)).status, 200);
      const ids = async (as: As, query: string) => (await as('GET', `/v1/apps/${app.id}/conversations?${query}`)).body.data.map((x: any) => x.id);
      assert.deepEqual(await ids(alice, 'assignee=me'), [first.id]);
      assert.deepEqual(await ids(bruno, 'assignee=me&state=waiting_for_person'), [], "bruno's thread of the first test is closed");
      assert.deepEqual(await ids(bruno, 'assignee=me&state=closed'), [], 'closing let go of the hold: the thread is under Closed, not under Mine');
      const unheld = await ids(viewer, 'assignee=none');
      assert.ok(unheld.includes(second.id) && !unheld.includes(first.id), JSON.stringify(unheld));
      const listed = (await viewer('GET', `/v1/apps/${app.id}/conversations?state=waiting_for_person`)).body.data;
      assert.deepEqual(listed.map((x: any) => [x.id, x.assignee?.email]), [[first.id, 'alice@example.org']]);
      const byKey = await c.api('GET', `/v1/apps/${app.id}/conversations?assignee=me`, { key: app.secretKey });
      assert.equal(byKey.status, 403, 'a key is no one: "me" needs a session');
      assert.equal(byKey.body.code, 'forbidden');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/conversations?assignee=alice`, { key: app.secretKey })).body.code, 'invalid_request');
    });

    test('the built-in assistant leaves a held thread alone, and answers it again once handed back', async () => {
      assert.equal((await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: DELIVERY_KB })).status, 200);
      const cy = await subscribe(c, sink, app, 'cy');
      await sendAnswerable(c, app, [cy.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, cy.sinkId, 1)).notification.data.reply;
      const url = `/v1/apps/${app.id}/conversations/${conversationId}`;
      assert.equal((await alice('POST', `${url}/take-over`)).status, 200);
      assert.equal((await postReply(c, { token, text: 'How much does delivery cost?' })).status, 200);
      // The assistant's job has run once the message is handled; it added nothing.
      await eventually(async () => {
        const m = await c.ctx.store.db.selectFrom('conversation_messages').select('handled_at').where('conversation_id', '=', conversationId).where('seq', '=', 1).executeTakeFirstOrThrow();
        assert.notEqual(m.handled_at, null);
      }, 15_000);
      assert.deepEqual(await messagesOf(url), [[1, 'user', 'How much does delivery cost?']]);
      assert.equal(pushesTo(sink, cy.sinkId).length, 1, 'nothing pushed while a person holds it');

      assert.equal((await alice('POST', `${url}/release`)).body.state, 'open');
      assert.equal((await postReply(c, { token, text: 'How much does delivery cost?' })).status, 200);
      const answer = await nthPush(sink, cy.sinkId, 2);
      assert.equal(answer.notification.body, 'Delivery is free from €30, €4.90 below.');
      assert.deepEqual((await messagesOf(url)).map((m: any[]) => m[1]), ['user', 'user', 'assistant']);
    });
  });
}
