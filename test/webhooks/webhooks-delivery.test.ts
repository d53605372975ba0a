import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { plant, startReceiver, startWebhookCarillon, verify, type Receiver } from './harness.ts';

for (const kind of DEPLOYMENTS) {
  describe(`webhooks are delivered, signed per Standard Webhooks (${kind})`, () => {
    let c: TestCarillon;
    let rx: Receiver;
    before(async () => {
      c = await startWebhookCarillon(kind);
      rx = await startReceiver({ tls: true });
    });
    after(async () => {
      await c.stop();
      await rx.close();
    });

    test('each outcome after the endpoint was made arrives once, over https, and verifies with the reference library', async () => {
      const app = await c.createApp();
      await plant(c, app.id, [{ type: 'sent' }]); // before the endpoint: not sent to it
      const created = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url } })).body;
      const start = rx.received.length;
      const at = Date.parse('2026-03-01T12:00:00.000Z');
      await plant(c, app.id, [
        { type: 'clicked', at, notificationId: 'ntf_a', campaignId: 'cmp_1', variant: 'b', category: 'promotions', channel: 'webpush', subscriptionId: 'sub_1', userId: 'u-1', action: 'buy' },
        { type: 'converted', at: at + 1000, notificationId: 'ntf_a', userId: 'u-1', value: 12.5, data: { kind: 'direct', event: 'purchase' } },
        { type: 'opted_out', at: at + 2000, subscriptionId: 'sub_2' },
      ]);
      const got = await eventually(() => {
        const mine = rx.received.slice(start);
        assert.equal(mine.length, 3);
        return mine;
      });
      const payloads = got.map((r) => verify(created.secret, r));
      assert.deepEqual(payloads.map((p) => p.type).sort(), ['notification.clicked', 'notification.converted', 'subscription.opted_out']);
      const click = payloads.find((p) => p.type === 'notification.clicked');
      assert.equal(click.timestamp, '2026-03-01T12:00:00.000Z');
      assert.deepEqual({ ...click.data, seq: undefined }, { seq: undefined, appId: app.id, notificationId: 'ntf_a', campaignId: 'cmp_1', variant: 'b', category: 'promotions', channel: 'webpush', subscriptionId: 'sub_1', userId: 'u-1', action: 'buy' });
      const conversion = payloads.find((p) => p.type === 'notification.converted');
      assert.equal(conversion.data.value, 12.5);
      assert.deepEqual(conversion.data.details, { kind: 'direct', event: 'purchase' });
      for (const r of got) {
        assert.match(r.headers['webhook-id']!, /^msg_/);
        assert.equal(r.headers['content-type'], 'application/json');
      }
      assert.equal(new Set(got.map((r) => r.headers['webhook-id'])).size, 3);
      // The delivery log says so.
      const log = await eventually(async () => {
        const res = await c.api('GET', `/v1/apps/${app.id}/webhooks/${created.id}/messages`, { key: app.secretKey });
        assert.equal(res.body.data.filter((m: any) => m.status === 'delivered').length, 3);
        return res.body.data;
      });
      for (const m of log) {
        assert.equal(m.attempts, 1);
        assert.equal(m.lastStatus, 200);
        assert.equal(typeof m.lastDurationMs, 'number');
        assert.equal(m.nextAttemptAt, null);
      }
    });

    test('an endpoint gets only the types it asked for, and only its own app’s', async () => {
      const app = await c.createApp();
      const other = await c.createApp();
      const wanted = await startReceiver();
      try {
        const created = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: wanted.url, events: ['notification.delivered', 'subscription.pruned'] } })).body;
        await plant(c, other.id, [{ type: 'delivered' }]);
        await plant(c, app.id, [{ type: 'sent' }, { type: 'delivered' }, { type: 'clicked' }, { type: 'pruned', subscriptionId: 'sub_9' }]);
        await eventually(() => assert.equal(wanted.received.length, 2));
        const types = wanted.received.map((r) => verify(created.secret, r).type).sort();
        assert.deepEqual(types, ['notification.delivered', 'subscription.pruned']);
        for (const r of wanted.received) assert.equal(verify(created.secret, r).data.appId, app.id);
      } finally {
        await wanted.close();
      }
    });

    test('batched: many events per request, `{"type":"batch","data":[...]}`, every event once, in order within a batch', async () => {
      const app = await c.createApp();
      const batched = await startReceiver();
      try {
        const created = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: batched.url, batchSize: 100 } })).body;
        await plant(c, app.id, Array.from({ length: 250 }, (_, i) => ({ type: 'delivered' as const, subscriptionId: `sub_${i}` })));
        const events = await eventually(() => {
          const all = batched.received.flatMap((r) => {
            const p = verify(created.secret, r);
            assert.equal(p.type, 'batch');
            assert.ok(p.data.length <= 100);
            return p.data;
          });
          assert.equal(all.length, 250);
          return all;
        });
        assert.ok(batched.received.length >= 3 && batched.received.length <= 250);
        const subs = events.map((e: any) => e.data.subscriptionId);
        assert.equal(new Set(subs).size, 250);
        // In order within a batch; batches travel side by side, so `seq` orders them (docs/webhooks.md#order).
        for (const r of batched.received) {
          const seqs = verify(created.secret, r).data.map((e: any) => e.data.seq);
          assert.deepEqual(seqs, [...seqs].sort((x: number, y: number) => x - y));
        }
        for (const e of events) assert.equal(e.type, 'notification.delivered');
      } finally {
        await batched.close();
      }
    });

    test('a replay asked for while the attempt is in flight still sends again', async () => {
      const app = await c.createApp();
      const slow = await startReceiver();
      try {
        slow.setDelay(400);
        const created = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: slow.url } })).body;
        await plant(c, app.id, [{ type: 'clicked', userId: 'in-flight' }]);
        await eventually(() => assert.equal(slow.received.length, 1));
        const id = slow.received[0]!.headers['webhook-id'];
        // The first attempt has arrived and is not answered yet.
        const replay = await c.api('POST', `/v1/apps/${app.id}/webhooks/${created.id}/replay`, { key: app.secretKey, body: { messageId: id } });
        assert.deepEqual(replay.body, { replayed: 1 });
        await eventually(() => assert.equal(slow.received.length, 2));
        assert.equal(slow.received[1]!.headers['webhook-id'], id);
        verify(created.secret, slow.received[1]!);
        await eventually(async () => {
          const [m] = (await c.api('GET', `/v1/apps/${app.id}/webhooks/${created.id}/messages`, { key: app.secretKey })).body.data;
          assert.equal(m.status, 'delivered');
        });
      } finally {
        await slow.close();
      }
    });

    test('a disabled endpoint gets nothing; enabled again, it resumes where it stopped', async () => {
      const app = await c.createApp();
      const paused = await startReceiver();
      try {
        const created = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: paused.url, enabled: false } })).body;
        await plant(c, app.id, [{ type: 'clicked', userId: 'while-off' }]);
        // The dispatcher has passed over it a few times by now.
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(paused.received.length, 0);
        await c.api('PATCH', `/v1/apps/${app.id}/webhooks/${created.id}`, { key: app.secretKey, body: { enabled: true } });
        await eventually(() => assert.equal(paused.received.length, 1));
        assert.equal(verify(created.secret, paused.received[0]!).data.userId, 'while-off');
      } finally {
        await paused.close();
      }
    });
  });
}
