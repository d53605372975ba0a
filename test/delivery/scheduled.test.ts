import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

for (const kind of STORES) {
  describe(`scheduled and expiring notifications (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    // The server's clock is the test's: scheduling and expiry are driven, never waited for.
    let clock = Date.parse('2026-06-01T08:00:00Z');

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      const s = sink.subscribe();
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: 'sched' }) });
      assert.equal(res.status, 201);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a notification with sendAt waits for its time, then goes out with its full TTL', async () => {
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, {
        key: app.secretKey,
        body: { to: { userIds: ['sched'] }, title: 'Good morning', sendAt: '2026-06-01T09:00:00Z', ttl: 600 },
      });
      assert.equal(res.status, 202);
      const id = res.body.id;
      const early = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}`, { key: app.secretKey });
      assert.equal(early.body.status, 'scheduled');
      assert.equal(early.body.sendAt, '2026-06-01T09:00:00.000Z');
      assert.deepEqual(await c.ctx.queue.depth(), { waiting: 0, delayed: 1, active: 0, failed: 0 });
      assert.equal(sink.received.length, 0);

      clock = Date.parse('2026-06-01T09:00:01Z');
      const done = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(done.counts.delivered, 1);
      assert.equal(sink.received.length, 1);
      assert.equal(sink.received[0]!.headers.ttl, 599, 'TTL counts from the scheduled time');
    });

    test('a retry after the TTL ran out is not sent, and is counted as expired', async () => {
      const s = sink.subscribe();
      await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: 'late' }) });
      sink.respondWith(s.id, [{ status: 503, retryAfter: 120 }]);
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['late'] }, title: 'Flash sale', ttl: 60 } });
      const id = res.body.id;
      // The first attempt meets the 503; its retry is due two minutes later.
      for (let i = 0; i < 200 && sink.responses.filter((r) => r.subscriptionId === s.id).length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      for (let i = 0; i < 200 && (await c.ctx.queue.depth()).delayed === 0; i++) await new Promise((r) => setTimeout(r, 10));
      clock += 121_000;
      const done = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual(done.counts, { targeted: 1, sent: 1, delivered: 0, failed: 0, expired: 1, pruned: 0, suppressed: 0, pending: 0, displayed: 0, clicked: 0, dismissed: 0 });
      assert.equal(sink.responses.filter((r) => r.subscriptionId === s.id).length, 1, 'not sent again after expiry');
      const records = await c.ctx.store.db.selectFrom('send_records').select(['reason', 'detail', 'counts_for_caps']).where('notification_id', '=', id).execute();
      assert.deepEqual(records, [{ reason: 'expired', detail: 'the TTL of 60 s had run out when the send was due', counts_for_caps: 0 }], 'its one send record says why it was not sent');
    });
  });
}
