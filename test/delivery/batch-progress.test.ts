/**
 * A batch re-run after a crash, from the state the crash left: the progress its first run
 * committed. The re-run sends only what was not recorded, and the counts add up exactly.
 * (test/delivery/crash-recovery.test.ts does the same with a real kill -9.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DELIVER_JOB } from '../../src/delivery/batches.ts';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

for (const kind of STORES) {
  describe(`a batch re-run after a crash sends only what it had not recorded (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;

    before(async () => {
      c = await startCarillon(kind);
      sink = await startPushSink();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('recorded recipients are neither sent again nor counted twice; the rest are sent, retried and counted', async () => {
      const app = await c.createApp();
      const subs = Array.from({ length: 6 }, () => sink.subscribe());
      const ids: string[] = [];
      for (const s of subs) {
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
        ids.push(res.body.id);
      }
      const seqs = (await c.ctx.store.db.selectFrom('subscriptions').select(['id', 'seq']).where('app_id', '=', app.id).execute())
        .sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))
        .map((r) => Number(r.seq));
      await c.ctx.queue.stop();
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'Once' } });
      const id = res.body.id as string;
      const now = c.ctx.now();

      // What a run killed in the middle leaves: its batch not done, and the progress it
      // committed: two delivered, one rejected (with its failure row), one to retry.
      await c.ctx.store.db.updateTable('notifications').set({ fanout_done: 1, fanout_cursor: seqs.at(-1)!, targeted: 6, status: 'sending' }).where('id', '=', id).execute();
      const batch = await c.ctx.store.db
        .insertInto('delivery_batches')
        .values({ notification_id: id, from_seq: seqs[0]!, to_seq: seqs.at(-1)!, seqs: JSON.stringify(seqs), attempt: 1, size: 6, done: 0, delivered: 0, failed: 0, expired: 0, pruned: 0, retrying: 0, created_at: now, finished_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      const batchId = Number(batch.id);
      await c.ctx.store.db
        .insertInto('delivery_progress')
        .values({ batch_id: batchId, delivered: JSON.stringify([seqs[0], seqs[1]]), failed: JSON.stringify([seqs[2]]), pruned: '[]', retrying: JSON.stringify([seqs[3]]), retry_after: 0, at: now })
        .execute();
      await c.ctx.store.db.insertInto('delivery_failures').values({ notification_id: id, subscription_id: ids[2]!, outcome: 'rejected', status_code: 400, reason: 'recorded before the crash', at: now }).execute();
      await c.ctx.queue.add([{ name: DELIVER_JOB, data: { batchId }, key: `deliver:${batchId}` }]);

      c.startWorkers();
      const done = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual(
        subs.map((s) => sink.receivedFor(s.id).length),
        [0, 0, 0, 1, 1, 1],
        'only the unrecorded ones are sent, and the one recorded to retry is sent by the next attempt',
      );
      assert.equal(done.counts.targeted, 6);
      assert.equal(done.counts.delivered, 5);
      assert.equal(done.counts.failed, 1);
      assert.equal(done.counts.pending, 0);
      const failures = (await c.api('GET', `/v1/apps/${app.id}/notifications/${id}/failures`, { key: app.secretKey })).body.data;
      assert.deepEqual(
        failures.map((f: any) => [f.subscriptionId, f.reason]),
        [[ids[2], 'recorded before the crash']],
      );
      const attempts = await c.ctx.store.db.selectFrom('delivery_batches').select(['attempt', 'size', 'delivered']).where('notification_id', '=', id).orderBy('attempt').execute();
      assert.deepEqual(attempts, [
        { attempt: 1, size: 6, delivered: 4 },
        { attempt: 2, size: 1, delivered: 1 },
      ]);
      const left = await c.ctx.store.db.selectFrom('delivery_progress').select('batch_id').where('batch_id', '=', batchId).execute();
      assert.deepEqual(left, [], 'progress of a done batch is not kept');
    });
  });
}
