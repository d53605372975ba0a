/**
 * A thread takes at most `conversationMaxReplies` replies from its user: one reply token
 * cannot pile messages up for the thread's whole life. A retry of a stored reply is still
 * answered as before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { nthPush, postReply, sendAnswerable, subscribe } from './fixture.ts';

for (const kind of STORES) {
  describe(`a thread's reply cap (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    before(async () => {
      c = await startCarillon(kind, { conversationMaxReplies: 2 });
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the reply past the cap is conversation_full and stores nothing; a retry of a stored one still answers', async () => {
      const app = await c.createApp();
      const ana = await subscribe(c, sink, app, 'ana');
      // No knowledge base and no webhook: each reply waits for a person, and only the user writes.
      await sendAnswerable(c, app, [ana.id], 'webhook');
      const { token, conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      assert.equal((await postReply(c, { token, text: 'first', clientId: 'a' })).status, 200);
      assert.equal((await postReply(c, { token, text: 'second', clientId: 'b' })).status, 200);
      const full = await postReply(c, { token, text: 'third', clientId: 'c' });
      assert.equal(full.status, 409);
      assert.equal(full.body.code, 'conversation_full');
      assert.equal(full.body.maxReplies, 2);
      assert.equal((await postReply(c, { token, text: 'second', clientId: 'b' })).status, 200, 'a retry of a stored reply is answered as before');
      const thread = await c.api('GET', `/v1/apps/${app.id}/conversations/${conversationId}`, { key: app.secretKey });
      assert.deepEqual(thread.body.messages.map((m: { text: string }) => m.text), ['first', 'second']);
      const answer = await c.api('POST', `/v1/apps/${app.id}/conversations/${conversationId}/messages`, { key: app.secretKey, body: { text: 'We will call you.' } });
      assert.equal(answer.status, 201, 'the app still answers a full thread');
    });
  });
}
