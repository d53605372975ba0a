/**
 * The reply page and its read of the thread (docs/conversations.md#the-reply-page), on both
 * databases: the token is the only authority, for its own thread and app, until the thread
 * expires (on the injected clock) or closes; the page is served under a strict policy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { makeReplyToken } from '../../src/conversations/index.ts';
import { REPLY_PAGE_CSP } from '../../src/http/routes/reply-page.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';
import { nthPush, postReply, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

const DAY = 86_400_000;

for (const kind of STORES) {
  describe(`the reply page and its thread read (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: TestApp;
    let clock = Date.now();

    const read = async (token: string | undefined, address = '198.51.100.30', url = '/v1/reply/thread') => {
      const res = await c.app.inject({ method: 'GET', url, remoteAddress: address, headers: token === undefined ? {} : { 'carillon-reply-token': token } });
      return { status: res.statusCode, headers: res.headers, body: res.json() };
    };
    /** A new thread of ana's device: its reply token, id and sink subscription. */
    const thread = async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      const notificationId = await sendAnswerable(c, app, [ana.id], 'builtin');
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      return { token: token as string, conversationId: conversationId as string, sinkId: ana.sinkId, subscriptionId: ana.id, notificationId };
    };

    before(async () => {
      c = await startCarillon(kind, { replyReadsPerToken: 5, publicUrl: 'https://push.example.org' }, { now: () => clock });
      sink = await startPushSink();
      app = await c.createApp();
      assert.equal((await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: DELIVERY_KB })).status, 200);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the token reads its thread: state, title, placeholder and messages in order, nothing else of the app; readable cross-origin, kept by no cache', async () => {
      const t = await thread();
      const empty = await read(t.token);
      assert.equal(empty.status, 200, JSON.stringify(empty.body));
      assert.deepEqual(empty.body, { conversationId: t.conversationId, state: 'open', title: 'Your parcel ships today', placeholder: 'Ask us anything', expiresAt: new Date(clock + 7 * DAY).toISOString(), messages: [] });
      assert.equal(empty.headers['access-control-allow-origin'], '*');
      assert.equal(empty.headers['cache-control'], 'no-store');

      assert.equal((await postReply(c, { token: t.token, text: 'How much does delivery cost?' })).status, 200);
      await nthPush(sink, t.sinkId, 2);
      const full = await read(t.token);
      assert.deepEqual(full.body.messages.map((m: any) => [m.seq, m.author, m.text, m.actions]), [
        [1, 'user', 'How much does delivery cost?', []],
        [2, 'assistant', 'Delivery is free from €30, €4.90 below.', []],
      ]);
      assert.deepEqual(Object.keys(full.body.messages[0]).sort(), ['actions', 'author', 'createdAt', 'seq', 'text']);

      const preflight = await c.app.inject({ method: 'OPTIONS', url: '/v1/reply/thread', headers: { origin: 'https://shop.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'carillon-reply-token' } });
      assert.equal(preflight.statusCode, 204);
      assert.equal(preflight.headers['access-control-allow-methods'], 'GET');
      assert.equal(preflight.headers['access-control-allow-headers'], 'carillon-reply-token');
    });

    test('the token goes in its header only: none, or one in the query string, is refused', async () => {
      const t = await thread();
      const none = await read(undefined);
      assert.equal(none.status, 400);
      assert.equal(none.body.code, 'invalid_request');
      assert.equal((await read(undefined, undefined, `/v1/reply/thread?token=${encodeURIComponent(t.token)}`)).status, 400);
      assert.equal((await read('not a token')).body.code, 'invalid_request');
    });

    test("another thread's id in a token, and a valid token of another app naming this thread, are refused", async () => {
      const a = await thread();
      const b = await thread();
      const parts = a.token.split('.');
      parts[4] = b.conversationId;
      const forged = await read(parts.join('.'));
      assert.equal(forged.status, 401);
      assert.equal(forged.body.code, 'reply_token_invalid');
      const other = await c.createApp();
      const otherAppToken = makeReplyToken(c.ctx.secrets, { appId: other.id, notificationId: a.notificationId, subscriptionId: a.subscriptionId, conversationId: a.conversationId, expiresAt: clock + DAY });
      const wrongApp = await read(otherAppToken);
      assert.equal(wrongApp.status, 401);
      assert.equal(wrongApp.body.code, 'reply_token_invalid');
      const otherDevice = makeReplyToken(c.ctx.secrets, { appId: app.id, notificationId: a.notificationId, subscriptionId: b.subscriptionId, conversationId: a.conversationId, expiresAt: clock + DAY });
      assert.equal((await read(otherDevice)).body.code, 'reply_token_invalid', "the thread's own app, another device");
    });

    test('a token expires with its thread, on the injected clock', async () => {
      const t = await thread();
      const saved = clock;
      try {
        clock += 7 * DAY - 1_000;
        assert.equal((await read(t.token)).status, 200, 'a second before');
        clock += 1_000;
        const res = await read(t.token);
        assert.equal(res.status, 401);
        assert.equal(res.body.code, 'reply_token_expired');
      } finally {
        clock = saved;
      }
    });

    test('a closed thread is refused with conversation_closed', async () => {
      const t = await thread();
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/conversations/${t.conversationId}/close`, { key: app.secretKey })).status, 200);
      const res = await read(t.token);
      assert.equal(res.status, 409);
      assert.equal(res.body.code, 'conversation_closed');
    });

    test('reads are rated per thread (replyReadsPerToken), with Retry-After, apart from the replies', async () => {
      const t = await thread();
      for (let i = 0; i < 5; i++) assert.equal((await read(t.token, `198.51.100.${40 + i}`)).status, 200);
      const limited = await read(t.token, '198.51.100.50');
      assert.equal(limited.status, 429);
      assert.equal(limited.body.code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) >= 1);
      assert.equal((await postReply(c, { token: t.token, text: 'Where is my parcel?' })).status, 200, 'replies keep their own allowance');
    });

    test('the page: strict policy, no cache, no referrer, no cookie, no inline script; its script and style from this origin', async () => {
      const t = await thread();
      const page = await c.app.inject({ method: 'GET', url: `/reply/${t.conversationId}` });
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(page.headers['content-security-policy'], REPLY_PAGE_CSP);
      assert.match(REPLY_PAGE_CSP, /^default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'/);
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.equal(page.headers['set-cookie'], undefined);
      const scripts = [...page.body.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
      assert.deepEqual(scripts.map((s) => [/src="\/reply\/reply\.js"/.test(s[0]), s[1]]), [[true, '']], 'one script, from a file');
      assert.ok(!/\sstyle=|<style/.test(page.body), 'no inline style');
      for (const [url, type] of [['/reply/reply.js', 'text/javascript; charset=utf-8'], ['/reply/reply.css', 'text/css; charset=utf-8']]) {
        const res = await c.app.inject({ method: 'GET', url: url! });
        assert.equal(res.statusCode, 200, url);
        assert.equal(res.headers['content-type'], type);
        assert.equal(res.headers['content-security-policy'], REPLY_PAGE_CSP);
      }
      assert.ok(!(await c.app.inject({ method: 'GET', url: '/reply/reply.js' })).body.includes('innerHTML'), 'message text is never parsed as HTML');
      assert.equal((await c.app.inject({ method: 'GET', url: '/reply/not-a-thread' })).statusCode, 404);
    });
  });
}
