/**
 * A lost send job comes back on the urgent lane (docs/civic-alerts.md#sending): an alert
 * stored while the process died sending it, whose send job the queue then lost too (a Redis
 * that restarted without its data), is found by the reconcile pass from the store
 * (`send_pending`, migration 049) and queued again urgent, with the reach it was posted
 * with; it reaches the users of its area and, as posted, those without a location, once.
 * On SQLite and on PostgreSQL + Redis (BullMQ's urgent queue).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { receiveCapAlert } from '../../src/alerts/alerts.ts';
import { ALERT_SEND_JOB, alertSendJob } from '../../src/alerts/send/send-job.ts';
import { reconcile } from '../../src/delivery/reconcile.ts';
import type { Context } from '../../src/context.ts';
import { PRIORITY } from '../../src/queue/queue.ts';
import { capXml } from './cap-builder.ts';

for (const kind of ['sqlite', 'postgres+redis'] as const) {
  describe(`a lost alert send is queued again by the reconcile pass, urgent (${kind})`, { timeout: 120_000 }, () => {
    let now = Date.parse('2026-12-01T10:05:00Z');
    let c: TestCarillon;
    let sink: PushSink;

    before(async () => {
      c = await startCarillon(kind, kind === 'postgres+redis' ? { queueLease: 1_000 } : {}, { now: () => now });
      sink = await startPushSink({ now: () => Math.floor(now / 1000) });
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the alert is sent once, to its area and the unlocated users it was posted for', async () => {
      const app = await c.createApp();
      const subscribe = async (userId: string) => {
        const s = sink.subscribe();
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId }) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return s;
      };
      assert.ok((await c.api('PUT', `/v1/apps/${app.id}/users/ana`, { key: app.secretKey, body: { location: { lat: 38.5, lon: -120.0 } } })).status < 300);
      assert.ok((await c.api('PUT', `/v1/apps/${app.id}/users/ben`, { key: app.secretKey, body: {} })).status < 300);
      const located = await subscribe('ana');
      const unlocated = await subscribe('ben');

      // The process dies sending: the fan-out is never queued, and the send job stored with
      // the alert is lost by the queue.
      await c.ctx.queue.stop();
      const dying: Context = {
        ...c.ctx,
        queue: {
          ...c.ctx.queue,
          add: async (jobs, tx) => {
            if (jobs.some((j) => j.name === 'fanout')) throw new Error('killed while queueing the fan-out');
            return c.ctx.queue.add(jobs.filter((j) => j.name !== ALERT_SEND_JOB), tx);
          },
        },
      };
      const xml = capXml({ identifier: 'LOST-1', expires: '2026-12-01T20:00:00-00:00' });
      await assert.rejects(receiveCapAlert(dying, app.id, xml, 'xml', { includeUnlocated: true }), /killed/);
      const db = c.ctx.store.db;
      const stored = await db.selectFrom('alerts').select(['id', 'send_pending']).where('app_id', '=', app.id).where('identifier', '=', 'LOST-1').executeTakeFirstOrThrow();
      assert.equal(stored.send_pending, 'area_and_unlocated');

      // Found again once it has been quiet past any lease and retry: urgent, with its reach.
      const job = alertSendJob(c.ctx);
      assert.deepEqual(await job.reconcile!(now - 1), [], 'not before it has been quiet');
      now += c.ctx.config.queueLease * 2 + c.ctx.config.retryMax + 1;
      const found = (await job.reconcile!(now - (c.ctx.config.queueLease * 2 + c.ctx.config.retryMax))).filter((j) => (j.data as { alertId: string }).alertId === stored.id);
      assert.equal(found.length, 1);
      assert.equal(found[0]!.priority, PRIORITY.urgent);
      assert.deepEqual(found[0]!.data, { alertId: stored.id, includeUnlocated: true });
      assert.equal((await reconcile(c.ctx, [job]))[ALERT_SEND_JOB], 1);

      c.startWorkers();
      const deadline = Date.now() + 60_000;
      let alert: any;
      for (;;) {
        alert = (await c.api('GET', `/v1/apps/${app.id}/alerts/${stored.id}`, { key: app.secretKey })).body;
        if (alert.notification) break;
        if (Date.now() > deadline) throw new Error('the lost alert send never ran');
        await new Promise((r) => setTimeout(r, 25));
      }
      const done = await c.waitCompleted(app.id, app.secretKey, alert.notification.id, 60_000);
      assert.equal(done.counts.delivered, 2, JSON.stringify(done.counts));
      assert.equal(sink.receivedFor(located.id).length, 1);
      assert.equal(sink.receivedFor(unlocated.id).length, 1);
      const notification = await db.selectFrom('notifications').select('priority').where('id', '=', alert.notification.id).executeTakeFirstOrThrow();
      assert.equal(Number(notification.priority), PRIORITY.urgent, 'its fan-out on the urgent lane too');

      // Sent, it is no longer pending: a later pass brings nothing back.
      assert.equal((await db.selectFrom('alerts').select('send_pending').where('id', '=', stored.id).executeTakeFirstOrThrow()).send_pending, null);
      assert.deepEqual(await job.reconcile!(now), []);
    });
  });
}
