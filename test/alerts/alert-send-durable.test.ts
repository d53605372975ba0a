/**
 * The store → send hand-off survives a crash: an alert is stored with its send job in one
 * transaction, so an alert stored but not sent (the process died between the two) is sent
 * by that job once a worker runs, not only when it comes again. The crash point is
 * injected: the receiving request's queue refuses the alert's fan-out job, as a kill at
 * that instant would lose it. On SQLite and on PostgreSQL + Redis.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { receiveCapAlert } from '../../src/alerts/alerts.ts';
import type { Context } from '../../src/context.ts';
import { capXml } from './cap-builder.ts';

const NOW = Date.parse('2026-12-01T10:05:00Z');

for (const kind of ['sqlite', 'postgres+redis'] as const) {
  describe(`an alert stored but not sent is sent after a crash (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;

    before(async () => {
      c = await startCarillon(kind, kind === 'postgres+redis' ? { queueLease: 1_000 } : {}, { now: () => NOW });
      sink = await startPushSink({ now: () => Math.floor(NOW / 1000) });
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the alert whose send died after it was stored reaches the user in its area, once', async () => {
      const app = await c.createApp();
      const put = await c.api('PUT', `/v1/apps/${app.id}/users/ana`, { key: app.secretKey, body: { location: { lat: 38.5, lon: -120.0 } } });
      assert.ok(put.status === 200 || put.status === 201, JSON.stringify(put.body));
      const s = sink.subscribe();
      const reg = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: 'ana' }) });
      assert.equal(reg.status, 201, JSON.stringify(reg.body));

      // The process "dies" sending: its workers are stopped, and its queue refuses the fan-out.
      await c.ctx.queue.stop();
      const dying: Context = {
        ...c.ctx,
        queue: {
          ...c.ctx.queue,
          add: async (jobs, tx) => {
            if (jobs.some((j) => j.name === 'fanout')) throw new Error('killed while queueing the fan-out');
            return c.ctx.queue.add(jobs, tx);
          },
        },
      };
      await assert.rejects(receiveCapAlert(dying, app.id, capXml({ identifier: 'DURABLE-1', expires: '2026-12-01T20:00:00-00:00' })), /killed/);
      const stored = await c.ctx.store.db.selectFrom('alerts').select(['id', 'disposition']).where('app_id', '=', app.id).where('identifier', '=', 'DURABLE-1').executeTakeFirstOrThrow();
      assert.equal(stored.disposition, 'public');
      assert.equal(await c.ctx.store.db.selectFrom('alert_notifications').select('alert_id').where('alert_id', '=', stored.id).executeTakeFirst(), undefined, 'not sent');

      // A worker runs again: the alert is sent without being posted again.
      c.startWorkers();
      const deadline = Date.now() + 60_000;
      let alert: any;
      for (;;) {
        alert = (await c.api('GET', `/v1/apps/${app.id}/alerts/${stored.id}`, { key: app.secretKey })).body;
        if (alert.notification) break;
        if (Date.now() > deadline) throw new Error('the stored alert was never sent');
        await new Promise((r) => setTimeout(r, 25));
      }
      const done = await c.waitCompleted(app.id, app.secretKey, alert.notification.id, 60_000);
      assert.equal(done.counts.delivered, 1);
      const pushes = sink.receivedFor(s.id);
      assert.equal(pushes.length, 1, 'sent once');
      assert.equal((pushes[0]!.json as any).notification.title, 'Storm DURABLE-1');

      // Posted again, it is held, and not sent a second time.
      const again = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: capXml({ identifier: 'DURABLE-1', expires: '2026-12-01T20:00:00-00:00' }), headers: { 'content-type': 'application/cap+xml' } });
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.body.notification.id, alert.notification.id);
      assert.equal(sink.receivedFor(s.id).length, 1);
    });
  });
}
