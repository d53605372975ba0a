/**
 * The webhook assistant: a user's reply reaches the app's server as a `conversation.message`
 * Standard Webhooks message (verified with the reference library) with the thread's history;
 * the server answers with POST .../conversations/{id}/messages, and the answer comes back as a
 * push in the same thread.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { verify, webhookRig } from '../webhooks/harness.ts';
import { nthPush, postReply, sendAnswerable, subscribe } from './fixture.ts';

for (const kind of DEPLOYMENTS) {
  describe(`the webhook assistant (${kind})`, () => {
    const rig = webhookRig(kind);

    test("the reply arrives signed with the thread's history; the app's answer is pushed into the thread; the publishable key and other apps' keys reach nothing", async () => {
      const { c, rx, sink } = rig;
      const app = await c.createApp();
      const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['conversation.message'] } })).body;
      assert.ok(hook.secret, JSON.stringify(hook));
      const ana = await subscribe(c, sink, app, 'ana');
      const ntf = await sendAnswerable(c, app, [ana.id], 'webhook', { reply: { placeholder: 'Ask us anything', assistant: 'webhook', title: 'Répondre' } });
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;

      assert.equal((await postReply(c, { token, text: 'Can you deliver on Friday instead?', clientId: 'r-1' })).status, 200);
      const first = await eventually(() => {
        assert.equal(rx.received.length, 1);
        return verify(hook.secret, rx.received[0]!);
      }, 15_000);
      assert.equal(first.type, 'conversation.message');
      assert.equal(first.data.appId, app.id);
      assert.equal(first.data.conversationId, conversationId);
      assert.equal(first.data.notificationId, ntf);
      assert.equal(first.data.subscriptionId, ana.id);
      assert.equal(first.data.userId, 'ana');
      assert.equal(first.data.message.text, 'Can you deliver on Friday instead?');
      assert.deepEqual(first.data.history.map((m: any) => [m.seq, m.author]), [[1, 'user']]);
      assert.ok(!rx.received[0]!.body.includes(token), 'the token is not sent to the app');

      const answer = await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/messages`, { key: app.secretKey, body: { text: 'Friday works: between 9 and 12.', actions: [{ action: 'ok', title: 'Great' }] } });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      assert.equal(answer.body.author, 'assistant');
      assert.equal(answer.body.seq, 2);
      const pushed = await nthPush(sink, ana.sinkId, 2);
      assert.equal(pushed.notification.body, 'Friday works: between 9 and 12.');
      assert.equal(pushed.notification.tag, conversationId);
      assert.equal(pushed.notification.renotify, true);
      assert.deepEqual(pushed.notification.actions.map((a: any) => [a.action, a.title]), [['ok', 'Great'], ['reply', 'Répondre']], 'the reply button keeps its label');

      // The next reply carries the whole thread.
      assert.equal((await postReply(c, { token: pushed.notification.data.reply.token, text: 'Thanks!' })).status, 200);
      const second = await eventually(() => {
        assert.equal(rx.received.length, 2);
        return verify(hook.secret, rx.received[1]!);
      }, 15_000);
      assert.deepEqual(second.data.history.map((m: any) => [m.seq, m.author, m.text]), [
        [1, 'user', 'Can you deliver on Friday instead?'],
        [2, 'assistant', 'Friday works: between 9 and 12.'],
        [3, 'user', 'Thanks!'],
      ]);

      const publishable = await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/messages`, { key: app.publishableKey, body: { text: 'x' } });
      assert.equal(publishable.status, 403, 'the publishable key cannot answer');
      const other = await c.createApp();
      const foreign = await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: other.secretKey });
      assert.equal(foreign.status, 403, "another app's key cannot read the thread");
    });

    test('with no endpoint taking conversation.message, the thread waits for a person', async () => {
      const { c, sink } = rig;
      const app = await c.createApp();
      const bo = await subscribe(c, sink, app, 'bo');
      await sendAnswerable(c, app, [bo.id], 'webhook');
      const { token } = (await nthPush(sink, bo.sinkId, 1)).notification.data.reply;
      const res = await postReply(c, { token, text: 'Hello?' });
      assert.equal(res.status, 200);
      assert.equal(res.body.state, 'waiting_for_person');
    });
  });
}
