/**
 * An urgent send due now to a few subscriptions named by id (a sign-in approval, a
 * one-time code) is cut when it is accepted: the 202 commits the notification with its one
 * batch and that batch's deliver job, with no fan-out job before them. Held by a stopped
 * queue (as across a crash), it is delivered once the workers start again; a lost deliver
 * job is found again by the reconcile pass, on the urgent lane.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { deliveryJobs } from '../../src/delivery/jobs.ts';
import { audiencePager } from '../../src/audience/segments/audience-pager.ts';
import { PRIORITY } from '../../src/queue/queue.ts';

for (const kind of STORES) {
  describe(`an urgent send to a few subscriptions is cut when accepted (${kind})`, () => {
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

    const jobKeys = async (id: string, batchId?: number) => {
      const rows = await c.ctx.store.db.selectFrom('jobs').select(['key', 'priority']).execute();
      return rows.filter((r) => r.key === `fanout:${id}:0` || (batchId !== undefined && r.key === `deliver:${batchId}`)).map((r) => ({ key: r.key, priority: Number(r.priority) }));
    };

    test('the 202 holds its batch and deliver job, no fan-out job; held by a stopped queue, it is delivered when the workers start', async () => {
      const app = await c.createApp();
      const s = sink.subscribe();
      const sub = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
      assert.equal(sub.status, 201, JSON.stringify(sub.body));
      const { seq } = await c.ctx.store.db.selectFrom('subscriptions').select('seq').where('id', '=', sub.body.id).executeTakeFirstOrThrow();
      await c.ctx.queue.stop();
      // An id that names no subscription is left out, as the fan-out leaves it out.
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { subscriptionIds: [sub.body.id, 'sub_gone'] }, title: 'Your code', urgency: 'high' } });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const id = res.body.id as string;
      const db = c.ctx.store.db;
      const n = await db.selectFrom('notifications').select(['status', 'fanout_done', 'targeted', 'priority']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.deepEqual({ status: n.status, fanoutDone: Number(n.fanout_done), targeted: Number(n.targeted), priority: Number(n.priority) }, { status: 'sending', fanoutDone: 1, targeted: 1, priority: PRIORITY.urgent });
      const batches = await db.selectFrom('delivery_batches').select(['id', 'seqs', 'attempt']).where('notification_id', '=', id).execute();
      assert.equal(batches.length, 1);
      assert.deepEqual(JSON.parse(batches[0]!.seqs), [Number(seq)]);
      const batchId = Number(batches[0]!.id);
      assert.deepEqual(await jobKeys(id, batchId), [{ key: `deliver:${batchId}`, priority: PRIORITY.urgent }], 'its deliver job on the urgent lane, and no fan-out job');
      const view = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}`, { key: app.secretKey });
      assert.equal(view.body.counts.pending, 1);

      c.startWorkers();
      const done = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(done.counts.delivered, 1);
      assert.equal(sink.receivedFor(s.id).length, 1, 'sent once');
    });

    test('a lost deliver job comes back urgent from the reconcile pass; ids of no subscription complete at once', async () => {
      const app = await c.createApp();
      const s = sink.subscribe();
      const sub = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
      await c.ctx.queue.stop();
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { subscriptionIds: [sub.body.id] }, title: 'Your code', urgency: 'high' } });
      const id = res.body.id as string;
      const db = c.ctx.store.db;
      const batch = await db.selectFrom('delivery_batches').select('id').where('notification_id', '=', id).executeTakeFirstOrThrow();
      // What a lost queue leaves: the batch's job gone, the batch old enough to be looked for.
      const long = c.ctx.now() - (c.ctx.config.queueLease * 2 + c.ctx.config.retryMax) - 1;
      await db.deleteFrom('jobs').where('key', '=', `deliver:${batch.id}`).execute();
      await db.updateTable('delivery_batches').set({ created_at: long }).where('id', '=', batch.id).execute();
      const [deliver, fanout] = deliveryJobs(c.ctx, { senders: new Map(), pager: audiencePager(c.ctx.store) });
      const found = await deliver!.reconcile!(c.ctx.now());
      assert.deepEqual(found.filter((j) => (j.data as { batchId: number }).batchId === Number(batch.id)).map((j) => j.priority), [PRIORITY.urgent]);
      assert.ok(!(await fanout!.reconcile!(c.ctx.now())).some((j) => (j.data as { notificationId: string }).notificationId === id), 'no fan-out left to do');
      await c.ctx.queue.add(found);

      // To ids that are no (longer any) subscription: nothing to send, completed in the same commit.
      const none = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { subscriptionIds: ['sub_gone'] }, title: 'Your code', urgency: 'high' } });
      assert.equal(none.status, 202, JSON.stringify(none.body));
      const empty = await c.api('GET', `/v1/apps/${app.id}/notifications/${none.body.id}`, { key: app.secretKey });
      assert.equal(empty.body.status, 'completed');
      assert.equal(empty.body.counts.targeted, 0);
      assert.deepEqual(await jobKeys(none.body.id), []);

      c.startWorkers();
      const done = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(done.counts.delivered, 1);
      assert.equal(sink.receivedFor(s.id).length, 1, 'sent once');
    });
  });
}
