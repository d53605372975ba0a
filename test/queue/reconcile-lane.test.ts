/**
 * Work the queue lost comes back on its lane: the reconcile pass reads each notification's
 * priority from the store (migration 040), so a lost urgent fan-out or batch is queued
 * urgent again (on BullMQ, in the urgent queue), and a broadcast's stays ordinary.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { deliveryJobs } from '../../src/delivery/jobs.ts';
import { audiencePager } from '../../src/audience/segments/audience-pager.ts';
import { PRIORITY } from '../../src/queue/queue.ts';

for (const kind of DEPLOYMENTS.filter((k) => k !== 'postgres')) {
  describe(`reconciled jobs keep their lane (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;

    before(async () => {
      c = await startCarillon(kind, { queueLease: 1000, retryMax: 1000 });
      sink = await startPushSink();
    });
    after(async () => {
      try {
        await c.stop();
      } finally {
        await sink.close();
      }
    });

    test('a lost urgent fan-out and batch come back urgent, a broadcast’s ordinary', async () => {
      const app = await c.createApp();
      const s = sink.subscribe();
      const sub = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
      assert.equal(sub.status, 201, JSON.stringify(sub.body));
      await c.ctx.queue.stop();
      // Scheduled: an urgent send due now is cut when accepted, with no fan-out job to lose.
      const urgent = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { subscriptionIds: [sub.body.id] }, title: 'Your code', urgency: 'high', sendAt: new Date(c.ctx.now() + 60_000).toISOString() } });
      const broadcast = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'Sale' } });
      assert.equal(urgent.status, 202, JSON.stringify(urgent.body));
      const long = c.ctx.now() - (c.ctx.config.queueLease * 2 + c.ctx.config.retryMax) - 1;
      const db = c.ctx.store.db;
      await db.updateTable('notifications').set({ send_at: long }).where('id', 'in', [urgent.body.id, broadcast.body.id]).execute();
      const [deliver, fanout] = deliveryJobs(c.ctx, { senders: new Map(), pager: audiencePager(c.ctx.store) });
      const fanouts = await fanout!.reconcile!(c.ctx.now());
      const priorityOf = (id: string) => fanouts.find((j) => (j.data as { notificationId: string }).notificationId === id)?.priority;
      assert.equal(priorityOf(urgent.body.id), PRIORITY.urgent);
      assert.equal(priorityOf(broadcast.body.id), PRIORITY.normal);

      // A batch cut from each, whose job was lost.
      const ids: Record<string, number> = {};
      for (const n of [urgent.body.id as string, broadcast.body.id as string]) {
        const row = await db
          .insertInto('delivery_batches')
          .values({ notification_id: n, from_seq: 1, to_seq: 1, seqs: '[1]', attempt: 1, size: 1, done: 0, delivered: 0, failed: 0, expired: 0, pruned: 0, retrying: 0, created_at: long, finished_at: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids[n] = Number(row.id);
      }
      const batches = await deliver!.reconcile!(c.ctx.now());
      const batchPriority = (n: string) => batches.find((j) => (j.data as { batchId: number }).batchId === ids[n])?.priority;
      assert.equal(batchPriority(urgent.body.id), PRIORITY.urgent);
      assert.equal(batchPriority(broadcast.body.id), PRIORITY.normal);
    });
  });
}
