import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { deliveryJobs } from '../../src/delivery/jobs.ts';
import { audiencePager } from '../../src/audience/segments/audience-pager.ts';
import { reconcile } from '../../src/delivery/reconcile.ts';

for (const kind of DEPLOYMENTS) {
  describe(`work the queue lost is queued again from the store (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;

    before(async () => {
      c = await startCarillon(kind, { queueLease: 1000, retryMax: 1000 });
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a batch whose job vanished is delivered after a reconcile, once', async () => {
      const app = await c.createApp();
      const s = sink.subscribe();
      const sub = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
      const { seq } = await c.ctx.store.db.selectFrom('subscriptions').select('seq').where('id', '=', sub.body.id).executeTakeFirstOrThrow();
      await c.ctx.queue.stop();
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'Found again' } });
      const id = res.body.id as string;
      // Only the kinds' reconcile runs here, so they need no senders.
      const jobs = deliveryJobs(c.ctx, { senders: new Map(), pager: audiencePager(c.ctx.store) });
      assert.deepEqual(await reconcile(c.ctx, jobs), { deliver: 0, fanout: 0 }, 'work younger than a lease and a retry is left to its job');
      const quiet = c.ctx.config.queueLease * 2 + c.ctx.config.retryMax;
      const long = c.ctx.now() - quiet - 1;
      // The state a lost queue leaves: the audience was cut into a batch, whose job is gone.
      await c.ctx.store.db.updateTable('notifications').set({ fanout_done: 1, fanout_cursor: Number(seq), targeted: 1, status: 'sending', send_at: long }).where('id', '=', id).execute();
      await c.ctx.store.db
        .insertInto('delivery_batches')
        .values({ notification_id: id, from_seq: Number(seq), to_seq: Number(seq), seqs: JSON.stringify([Number(seq)]), attempt: 1, size: 1, done: 0, delivered: 0, failed: 0, expired: 0, pruned: 0, retrying: 0, created_at: long, finished_at: null })
        .execute();
      // Reconciled twice: the second add meets the first job's key (the queue contract
      // suite checks that dedupe on each queue).
      assert.deepEqual(await reconcile(c.ctx, jobs), { deliver: 1, fanout: 0 });
      assert.deepEqual(await reconcile(c.ctx, jobs), { deliver: 1, fanout: 0 });

      c.startWorkers();
      const done = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(done.counts.delivered, 1);
      assert.equal(sink.receivedFor(s.id).length, 1, 'sent once');
    });

    test('a fan-out left unfinished is found again by its own kind, and its audience is sent once', async () => {
      const app = await c.createApp();
      const s = sink.subscribe();
      await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
      await c.ctx.queue.stop();
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'Cut again' } });
      const id = res.body.id as string;
      const jobs = deliveryJobs(c.ctx, { senders: new Map(), pager: audiencePager(c.ctx.store) });
      const long = c.ctx.now() - (c.ctx.config.queueLease * 2 + c.ctx.config.retryMax) - 1;
      // Due long ago and not cut at all: what a fan-out job lost before it ran leaves.
      await c.ctx.store.db.updateTable('notifications').set({ send_at: long }).where('id', '=', id).execute();
      assert.deepEqual(await reconcile(c.ctx, jobs), { deliver: 0, fanout: 1 });

      c.startWorkers();
      const done = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(done.counts.delivered, 1);
      assert.equal(sink.receivedFor(s.id).length, 1, 'sent once, though its fan-out was queued twice');
    });
  });
}
