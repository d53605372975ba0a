/**
 * `reply.answerTo`: "device" (the default) pushes a thread's answers to the device that
 * replied; "user" to every current subscription of the thread's user, each push with a reply
 * token of its own subscription for that same thread, so any of the devices can reply in it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { eventually } from '../support/eventually.ts';
import { queueIdle, startReceiver, startWebhookCarillon, verify, type Receiver } from '../webhooks/harness.ts';
import { nthPush, postReply, pushesTo, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

for (const kind of DEPLOYMENTS) {
  describe(`answers to all of a user's devices (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let rx: Receiver;
    before(async () => {
      c = await startWebhookCarillon(kind);
      sink = await startPushSink();
      rx = await startReceiver({ tls: true });
    });
    after(async () => {
      await c.stop();
      await sink.close();
      await rx.close();
    });

    const answer = async (app: TestApp, id: string, text: string) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/conversations/${id}/messages`, { key: app.secretKey, body: { text } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    };
    const thread = async (app: TestApp, id: string) => (await c.api('GET', `/v1/apps/${app.id}/conversations/${id}`, { key: app.secretKey })).body;
    /** The token's claims: cr1.<app>.<notification>.<subscription>.<conversation>.<expiry>.<tag>. */
    const claims = (token: string) => {
      const [, appId, notificationId, subscriptionId, conversationId] = token.split('.');
      return { appId, notificationId, subscriptionId, conversationId };
    };

    test('answerTo user: both of the user’s devices get the answer, each with its own token for the same thread; another user’s device gets nothing', async () => {
      const app = await c.createApp();
      const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['conversation.message'] } })).body;
      const events = () => rx.received.filter((r) => r.body.includes(app.id)).map((r) => verify(hook.secret, r));
      const phone = await subscribe(c, sink, app, 'ana');
      const laptop = await subscribe(c, sink, app, 'ana');
      const bo = await subscribe(c, sink, app, 'bo');
      await sendAnswerable(c, app, [phone.id], 'webhook', { reply: { placeholder: 'Ask us anything', assistant: 'webhook', answerTo: 'user' } });
      const { token, conversationId } = (await nthPush(sink, phone.sinkId, 1)).notification.data.reply;
      assert.equal((await postReply(c, { token, text: 'Where is my parcel?' })).status, 200);

      await answer(app, conversationId, 'At the depot, out for delivery tomorrow.');
      const onPhone = await nthPush(sink, phone.sinkId, 2);
      const onLaptop = await nthPush(sink, laptop.sinkId, 1);
      for (const p of [onPhone, onLaptop]) {
        assert.equal(p.notification.body, 'At the depot, out for delivery tomorrow.');
        assert.equal(p.notification.tag, conversationId, 'the same thread on each device');
        assert.equal(p.notification.data.reply.conversationId, conversationId);
      }
      const phoneToken = onPhone.notification.data.reply.token as string;
      const laptopToken = onLaptop.notification.data.reply.token as string;
      assert.equal(claims(phoneToken).subscriptionId, phone.id);
      assert.equal(claims(laptopToken).subscriptionId, laptop.id, 'bound to its own subscription');
      assert.equal(claims(laptopToken).conversationId, conversationId);

      // The laptop's token reads the thread too, as the reply page does where no inline reply is offered.
      const read = await c.api('GET', '/v1/reply/thread', { headers: { 'carillon-reply-token': laptopToken } });
      assert.equal(read.status, 200, JSON.stringify(read.body));
      assert.equal(read.body.conversationId, conversationId);
      // The laptop replies in the thread; its answer reaches both devices again.
      const fromLaptop = await postReply(c, { token: laptopToken, text: 'Can I pick it up instead?' });
      assert.equal(fromLaptop.status, 200, JSON.stringify(fromLaptop.body));
      assert.equal(fromLaptop.body.conversationId, conversationId);
      // The app is told which device wrote each message, and where its answers go.
      const told = await eventually(() => {
        const e = events();
        assert.equal(e.length, 2);
        return e;
      }, 15_000);
      assert.deepEqual(told.map((e) => [e.data.conversationId, e.data.subscriptionId, e.data.answerTo, e.data.message.seq]), [
        [conversationId, phone.id, 'user', 1],
        [conversationId, laptop.id, 'user', 3],
      ]);
      await answer(app, conversationId, 'Yes, from 2 pm.');
      assert.equal((await nthPush(sink, phone.sinkId, 3)).notification.body, 'Yes, from 2 pm.');
      assert.equal((await nthPush(sink, laptop.sinkId, 2)).notification.body, 'Yes, from 2 pm.');
      const t = await thread(app, conversationId);
      assert.deepEqual(t.messages.map((m: any) => [m.seq, m.author, m.text]), [
        [1, 'user', 'Where is my parcel?'],
        [2, 'assistant', 'At the depot, out for delivery tomorrow.'],
        [3, 'user', 'Can I pick it up instead?'],
        [4, 'assistant', 'Yes, from 2 pm.'],
      ]);

      // The laptop's token is for this thread only: naming another thread breaks its tag.
      await sendAnswerable(c, app, [laptop.id], 'webhook');
      const other = (await nthPush(sink, laptop.sinkId, 3)).notification.data.reply;
      assert.notEqual(other.conversationId, conversationId);
      const forged = laptopToken.replace(conversationId, other.conversationId);
      const refused = await postReply(c, { token: forged, text: 'Into the other thread' });
      assert.equal(refused.status, 401, JSON.stringify(refused.body));
      assert.equal(refused.body.code, 'reply_token_invalid');
      // A device that unsubscribed replies no more, and is not answered.
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/subscriptions/${laptop.id}`, { key: app.publishableKey })).status, 204);
      assert.equal((await postReply(c, { token: laptopToken, text: 'Still there?' })).body.code, 'reply_token_invalid');
      await answer(app, conversationId, 'Only to the phone now.');
      assert.equal((await nthPush(sink, phone.sinkId, 4)).notification.body, 'Only to the phone now.');
      await queueIdle(c);
      assert.equal(pushesTo(sink, laptop.sinkId).length, 3);
      assert.equal(pushesTo(sink, bo.sinkId).length, 0, 'another user’s device is not answered');
    });

    test('answerTo device (the default), and user without a user id, push to the device that replied only', async () => {
      const app = await c.createApp();
      const phone = await subscribe(c, sink, app, 'cy');
      const laptop = await subscribe(c, sink, app, 'cy');
      const anonymous = await subscribe(c, sink, app);
      await sendAnswerable(c, app, [phone.id], 'webhook');
      await sendAnswerable(c, app, [anonymous.id], 'webhook', { reply: { placeholder: 'Ask', assistant: 'webhook', answerTo: 'user' } });
      for (const device of [phone, anonymous]) {
        const { token, conversationId } = (await nthPush(sink, device.sinkId, 1)).notification.data.reply;
        assert.equal((await postReply(c, { token, text: 'Hello?' })).status, 200);
        await answer(app, conversationId, 'Hello!');
        assert.equal((await nthPush(sink, device.sinkId, 2)).notification.body, 'Hello!');
      }
      await queueIdle(c);
      assert.equal(pushesTo(sink, laptop.sinkId).length, 0, 'the other device of the user is not answered');
    });

    test('a bad answerTo is refused with its pointer, and nothing is sent', async () => {
      const app = await c.createApp();
      const dev = await subscribe(c, sink, app, 'di');
      for (const answerTo of ['everyone', '', 1, null]) {
        const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { subscriptionIds: [dev.id] }, title: 'Hi', reply: { placeholder: 'Ask', assistant: 'webhook', answerTo } } });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.code, 'invalid_request');
        assert.ok(res.body.errors.some((e: any) => e.pointer?.startsWith('#/reply/answerTo')), JSON.stringify(res.body.errors));
      }
      const list = await c.api('GET', `/v1/apps/${app.id}/notifications`, { key: app.secretKey });
      assert.equal(list.body.data.length, 0);
    });
  });
}
