import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';
import { nthPush, postReply, pushesTo, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

const DAY = 86_400_000;

for (const kind of STORES) {
  describe(`replying to a notification (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: TestApp;
    // The wall clock to start with: the push sink checks VAPID expiries against it.
    let clock = Date.now();

    before(async () => {
      c = await startCarillon(kind, { replyPerToken: 4, publicUrl: 'https://push.example.org' }, { now: () => clock });
      sink = await startPushSink();
      app = await c.createApp();
      const kb = await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: DELIVERY_KB });
      assert.equal(kb.status, 200, JSON.stringify(kb.body));
      assert.equal(kb.body.version, 1);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('each recipient gets a thread of its own, a text action and a token for that thread; the built-in answer comes back as a push in the thread', async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      const bo = await subscribe(c, sink, app, 'bo');
      const ntf = await sendAnswerable(c, app, [ana.id, bo.id], 'builtin');
      const first = await nthPush(sink, ana.sinkId, 1);
      const n = first.notification;
      const reply = n.data.reply;
      assert.match(reply.conversationId, /^cnv_/);
      assert.deepEqual(n.actions.at(-1), { action: 'reply', title: 'Reply', type: 'text', placeholder: 'Ask us anything', navigate: `https://push.example.org/reply/${reply.conversationId}#${reply.token}` });
      assert.equal(n.tag, reply.conversationId, 'the thread is the tag');
      assert.equal(n.renotify, true);
      assert.equal(reply.endpoint, 'https://push.example.org/v1/reply');
      const boReply = (await nthPush(sink, bo.sinkId, 1)).notification.data.reply;
      assert.notEqual(boReply.conversationId, reply.conversationId, 'one thread per recipient');

      const list = await c.api('GET', `/v1/apps/${app.id}/conversations`, { key: app.secretKey });
      assert.equal(list.status, 200);
      const mine = list.body.data.filter((x: any) => x.notificationId === ntf);
      assert.deepEqual(mine.map((x: any) => x.subscriptionId).sort(), [ana.id, bo.id].sort());
      assert.ok(mine.every((x: any) => x.state === 'open' && x.assistant === 'builtin' && x.title === 'Your parcel ships today'));
      assert.equal(Date.parse(mine[0].expiresAt), clock + 7 * DAY, 'conversationTtl: a week');

      const clientId = randomUUID();
      const res = await postReply(c, { token: reply.token, text: 'How much does delivery cost?', clientId });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.conversationId, reply.conversationId);
      assert.equal(res.body.message.seq, 1);
      assert.equal(res.body.message.author, 'user');
      assert.equal(res.headers['access-control-allow-origin'], '*', "readable by the site's service worker");
      const preflight = await c.app.inject({ method: 'OPTIONS', url: '/v1/reply', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
      assert.equal(preflight.statusCode, 204);
      assert.equal(preflight.headers['access-control-allow-methods'], 'POST');

      const answer = await nthPush(sink, ana.sinkId, 2);
      assert.equal(answer.notification.body, 'Delivery is free from €30, €4.90 below.');
      assert.equal(answer.notification.title, 'Your parcel ships today');
      assert.equal(answer.notification.tag, reply.conversationId, 'same tag: it replaces the first in the thread');
      assert.equal(answer.notification.renotify, true);
      assert.equal(answer.notification.data.reply.conversationId, reply.conversationId, 'the answer can be replied to, in the same thread');
      assert.equal(pushesTo(sink, bo.sinkId).length, 1, 'only the device that replied is answered');

      // A replay (the device retried): the same answer, nothing added, nothing pushed again.
      const again = await postReply(c, { token: reply.token, text: 'How much does delivery cost?', clientId });
      assert.equal(again.status, 200);
      assert.deepEqual(again.body, res.body);
      const thread = await c.api('GET', `/v1/apps/${app.id}/conversations/${reply.conversationId}`, { key: app.secretKey });
      assert.equal(thread.status, 200);
      assert.deepEqual(thread.body.messages.map((m: any) => [m.seq, m.author, m.text]), [
        [1, 'user', 'How much does delivery cost?'],
        [2, 'assistant', 'Delivery is free from €30, €4.90 below.'],
      ]);
      const other = await postReply(c, { token: reply.token, text: 'Something else', clientId });
      assert.equal(other.status, 409);
      assert.equal(other.body.code, 'reply_client_id_reused');

      // The answer's own token continues the same thread.
      const next = await postReply(c, { token: answer.notification.data.reply.token, text: 'Quels sont les frais de port ?' });
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.equal(next.body.message.seq, 3);
      const third = await nthPush(sink, ana.sinkId, 3);
      assert.equal(third.notification.body, 'La livraison est offerte dès 30 €, 4,90 € en dessous.');
      assert.equal(pushesTo(sink, ana.sinkId).length, 3, 'the replay pushed nothing');
    });

    test("a token is good for its own thread only: another thread's id in it is refused, and nothing is stored", async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      const bo = await subscribe(c, sink, app, 'bo');
      await sendAnswerable(c, app, [ana.id, bo.id], 'builtin');
      const a = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const b = (await nthPush(sink, bo.sinkId, 1)).notification.data.reply;
      const parts = a.token.split('.');
      parts[4] = b.conversationId;
      const forged = await postReply(c, { token: parts.join('.'), text: 'Where is my parcel?' });
      assert.equal(forged.status, 401);
      assert.equal(forged.body.code, 'reply_token_invalid');
      assert.equal(forged.body.pointer, '#/token');
      const swapped = b.token.split('.');
      swapped[4] = a.conversationId;
      swapped[6] = a.token.split('.')[6];
      assert.equal((await postReply(c, { token: swapped.join('.'), text: 'Where is my parcel?' })).body.code, 'reply_token_invalid', "another token's tag does not fit");
      for (const id of [a.conversationId, b.conversationId]) {
        const thread = await c.api('GET', `/v1/apps/${app.id}/conversations/${id}`, { key: app.secretKey });
        assert.deepEqual(thread.body.messages, [], 'nothing stored');
      }
      assert.equal((await postReply(c, { token: 'cr1.not.a.token', text: 'hi' })).body.code, 'reply_token_invalid');
    });

    test('the same reply sent twice at once is stored once, and both answers say so', async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const clientId = randomUUID();
      const [a, b] = await Promise.all([postReply(c, { token, text: 'Where is my parcel?', clientId }), postReply(c, { token, text: 'Where is my parcel?', clientId })]);
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.equal(b.status, 200, JSON.stringify(b.body));
      assert.deepEqual(a.body.message, b.body.message);
      const rows = await c.ctx.store.db.selectFrom('conversation_messages').select(['seq', 'author']).where('conversation_id', '=', conversationId).where('author', '=', 'user').execute();
      assert.deepEqual(rows.map((r) => Number(r.seq)), [1]);
    });

    test('a token expires with its thread, on the injected clock', async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const saved = clock;
      try {
        clock += 7 * DAY;
        const res = await postReply(c, { token, text: 'Where is my parcel?' });
        assert.equal(res.status, 401);
        assert.equal(res.body.code, 'reply_token_expired');
      } finally {
        clock = saved;
      }
      const thread = await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey });
      assert.deepEqual(thread.body.messages, []);
    });

    test('oversize text is refused with reply_too_long at #/text; nothing is stored', async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const res = await postReply(c, { token, text: 'é'.repeat(1_001) });
      assert.equal(res.status, 413);
      assert.equal(res.body.code, 'reply_too_long');
      assert.equal(res.body.pointer, '#/text');
      assert.equal(res.body.maxChars, 1_000);
      assert.equal((await postReply(c, { token, text: '😀'.repeat(1_000) })).status, 200, '1,000 characters, counted as code points, pass');
      const thread = await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey });
      assert.equal(thread.body.messages.length >= 1, true);
      assert.equal(thread.body.messages[0].text, '😀'.repeat(1_000));
    });

    test('replies are rated per thread (replyPerToken) and per address (replyPerAddress), with Retry-After', async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'builtin');
      const { token } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      for (let i = 0; i < 4; i++) assert.equal((await postReply(c, { token, text: `question ${i}` }, '198.51.100.20')).status, 200);
      const limited = await postReply(c, { token, text: 'one more' }, '198.51.100.21');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) >= 1);

      // The address bucket: 60 a minute by default, whatever the token (here, none that verifies).
      let status = 0;
      for (let i = 0; i < 61; i++) status = (await postReply(c, { token: 'cr1.x', text: 'hi' }, '198.51.100.99')).status;
      assert.equal(status, 429, 'the 61st request from one address in a minute');
    });

    test('a notification with a bad reply is refused with a pointer, and nothing is sent', async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      const cases: [Record<string, unknown>, string][] = [
        [{ reply: { placeholder: 'x'.repeat(101), assistant: 'builtin' } }, '#/reply/placeholder'],
        [{ reply: { placeholder: 'Ask', assistant: 'chatgpt' } }, '#/reply/assistant'],
        [{ reply: { placeholder: 'Ask', assistant: 'builtin' }, contentAvailable: true }, '#/reply'],
        [{ reply: { placeholder: 'Ask', assistant: 'builtin' }, actions: [1, 2, 3, 4].map((i) => ({ action: `a${i}`, title: `A${i}` })) }, '#/actions'],
        [{ reply: { placeholder: 'Ask', assistant: 'builtin' }, actions: [{ action: 'later', title: 'Later' }, { action: 'reply', title: 'Answer' }] }, '#/actions/1/action'],
      ];
      for (const [extra, pointer] of cases) {
        const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { subscriptionIds: [ana.id] }, title: 'Hi', ...extra } });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.code, 'invalid_request');
        assert.ok(res.body.errors.some((e: any) => e.pointer === pointer || e.pointer?.startsWith(pointer)), `${pointer} in ${JSON.stringify(res.body.errors)}`);
      }
      // Sized with the reply token each push will carry: what fits without reply may not with it.
      const long = { to: { subscriptionIds: [ana.id] }, title: 'Long', body: 'x'.repeat(3_300) };
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: long })).status, 202);
      const tooLong = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { ...long, title: 'Hi', reply: { placeholder: 'Ask', assistant: 'builtin' } } });
      assert.equal(tooLong.status, 413, JSON.stringify(tooLong.body));
      assert.equal(tooLong.body.code, 'payload_too_large');
      const list = await c.api('GET', `/v1/apps/${app.id}/notifications`, { key: app.secretKey });
      assert.ok(!list.body.data.some((n: any) => n.title === 'Hi'));
    });

    test('below the threshold the thread waits for a person and nothing is pushed; a closed thread takes no more replies', async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      assert.equal((await postReply(c, { token, text: 'Do you sell bicycles in Lisbon?' })).status, 200);
      const url = `/v1/apps/${app.id}/conversations/${conversationId}`;
      const { eventually } = await import('../support/eventually.ts');
      await eventually(async () => assert.equal((await c.api('GET', url, { key: app.secretKey })).body.state, 'waiting_for_person'), 15_000);
      const waiting = await c.api('GET', `/v1/apps/${app.id}/conversations?state=waiting_for_person`, { key: app.secretKey });
      assert.ok(waiting.body.data.some((x: any) => x.id === conversationId));
      assert.equal(pushesTo(sink, ana.sinkId).length, 1, 'no answer pushed');

      const person = await c.api('POST', `${url}/messages`, { key: app.secretKey, body: { text: 'Not yet, sorry!' } });
      assert.equal(person.status, 201, JSON.stringify(person.body));
      assert.equal((await nthPush(sink, ana.sinkId, 2)).notification.body, 'Not yet, sorry!');

      const closed = await c.api('POST', `${url}/close`, { key: app.secretKey });
      assert.equal(closed.status, 200);
      assert.equal(closed.body.state, 'closed');
      const late = await postReply(c, { token, text: 'And in Porto?' });
      assert.equal(late.status, 409);
      assert.equal(late.body.code, 'conversation_closed');
      assert.equal((await c.api('POST', `${url}/messages`, { key: app.secretKey, body: { text: 'x' } })).body.code, 'conversation_closed');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/conversations/cnv_nope`, { key: app.secretKey })).body.code, 'conversation_not_found');
    });
  });
}
