/**
 * Erasing a user erases their conversations: the threads of the user and of their
 * subscriptions, every message in them, and the words the kept `conversation.message`
 * webhook bodies carried; another user's thread stays as it was.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { webhookRig } from '../webhooks/harness.ts';
import { nthPush, postReply, sendAnswerable, subscribe } from './fixture.ts';

for (const kind of STORES) {
  describe(`erasing a user who replied (${kind})`, () => {
    const rig = webhookRig(kind);

    test('their threads, messages and the words in kept webhook bodies go; the other user keeps theirs', async () => {
      const { c, rx, sink } = rig;
      const app = await c.createApp();
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['conversation.message'] } })).status, 201);
      const ana = await subscribe(c, sink, app, 'ana');
      const bob = await subscribe(c, sink, app, 'bob');
      await sendAnswerable(c, app, [ana.id, bob.id], 'webhook');
      const anaThread = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const bobThread = (await nthPush(sink, bob.sinkId, 1)).notification.data.reply;
      assert.equal((await postReply(c, { token: anaThread.token, text: 'My flat is 4B, ring twice' })).status, 200);
      assert.equal((await postReply(c, { token: bobThread.token, text: 'Leave it at the door' })).status, 200);
      await eventually(() => assert.equal(rx.received.length, 2), 15_000);

      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/users/ana`, { key: app.secretKey })).status, 204);

      assert.equal((await c.api('GET', `/v1/apps/${app.id}/conversations/${anaThread.conversationId}`, { key: app.secretKey })).status, 404);
      const db = c.ctx.store.db;
      assert.deepEqual(await db.selectFrom('conversation_messages').select('conversation_id').where('conversation_id', '=', anaThread.conversationId).execute(), []);
      const kept = await db.selectFrom('webhook_messages').select('body').where('app_id', '=', app.id).where('type', '=', 'conversation.message').execute();
      assert.equal(kept.length, 2);
      assert.ok(kept.every((m) => !m.body.includes('4B')), 'the words of the erased user are gone from the kept bodies');
      assert.ok(kept.some((m) => m.body.includes('Leave it at the door')), "the other user's message is kept as it was sent");

      const bobsNow = await c.api('GET', `/v1/apps/${app.id}/conversations/${bobThread.conversationId}`, { key: app.secretKey });
      assert.equal(bobsNow.status, 200);
      assert.deepEqual(bobsNow.body.messages.map((m: { text: string }) => m.text), ['Leave it at the door']);
      const late = await postReply(c, { token: anaThread.token, text: 'still there?' });
      assert.equal(late.status, 401, "the erased user's token finds no thread");
      assert.equal(late.body.code, 'reply_token_invalid');
    });
  });
}
