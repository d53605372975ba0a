/**
 * The work a reply leaves is found again in the store when the queue lost its job: a user's
 * message the built-in assistant has not handled, an answer whose push was not made. The
 * reconcile pass adds the jobs back (their keys dedupe against jobs still queued) and the
 * answer reaches the device, once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { eventually } from '../support/eventually.ts';
import { conversationJobs } from '../../src/conversations/index.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';
import { nthPush, pushesTo, sendAnswerable, subscribe, type TestApp } from './fixture.ts';

for (const kind of DEPLOYMENTS) {
  describe(`conversation work found again after a lost job (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: TestApp;

    before(async () => {
      c = await startCarillon(kind);
      sink = await startPushSink();
      app = await c.createApp();
      assert.equal((await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: DELIVERY_KB })).status, 200);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a stored reply without its job is matched and answered; an answer without its push is pushed; nothing twice', async () => {
      const ana = await subscribe(c, sink, app, 'ana');
      await sendAnswerable(c, app, [ana.id], 'builtin');
      const { conversationId } = (await nthPush(sink, ana.sinkId, 1)).notification.data.reply;
      const db = c.ctx.store.db;
      // A reply whose job the queue lost (a Redis flushed, say): the message alone.
      const now = c.ctx.now();
      await db.insertInto('conversation_messages').values({ conversation_id: conversationId, seq: 1, author: 'user', text: 'How much does delivery cost?', actions: null, client_id: 'lost-1', handled_at: null, notification_id: null, created_at: now - 1 }).execute();
      await db.updateTable('conversations').set({ next_seq: 2 }).where('id', '=', conversationId).execute();
      const [assist, push] = conversationJobs(c.ctx);
      const found = await assist!.reconcile!(now);
      assert.deepEqual(found.map((j) => j.data), [{ conversationId, seq: 1 }]);
      await c.ctx.queue.add(found);
      const answer = await nthPush(sink, ana.sinkId, 2);
      assert.equal(answer.notification.body, 'Delivery is free from €30, €4.90 below.');
      assert.deepEqual(await assist!.reconcile!(c.ctx.now() + 1), [], 'handled: nothing left to find');
      await eventually(async () => assert.deepEqual(await push!.reconcile!(c.ctx.now() + 1), [], 'the push is noted'), 10_000);

      // An answer stored without its push job: pushed once, even when found twice.
      await db.insertInto('conversation_messages').values({ conversation_id: conversationId, seq: 3, author: 'person', text: 'Anything else?', actions: null, client_id: null, handled_at: null, notification_id: null, created_at: c.ctx.now() - 1 }).execute();
      await db.updateTable('conversations').set({ next_seq: 4 }).where('id', '=', conversationId).execute();
      const lost = await push!.reconcile!(c.ctx.now());
      assert.deepEqual(lost.map((j) => j.data), [{ conversationId, seq: 3 }]);
      await c.ctx.queue.add([...lost, ...lost]);
      assert.equal((await nthPush(sink, ana.sinkId, 3)).notification.body, 'Anything else?');
      await eventually(async () => assert.deepEqual(await push!.reconcile!(c.ctx.now() + 1), []), 10_000);
      assert.equal(pushesTo(sink, ana.sinkId).length, 3);
      const notes = await db.selectFrom('conversation_messages').select(['seq', 'notification_id']).where('conversation_id', '=', conversationId).orderBy('seq').execute();
      assert.equal(notes.length, 3);
      assert.ok(notes.filter((m) => Number(m.seq) !== 1).every((m) => m.notification_id?.startsWith('ntf_')), 'each answer names its push');
    });
  });
}
