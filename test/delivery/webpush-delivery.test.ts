import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink, type SinkSubscription } from '../support/push-sink.ts';

for (const kind of DEPLOYMENTS) {
  describe(`Web Push delivery end to end (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;

    const register = async (s: SinkSubscription, extra: Record<string, unknown> = {}) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, ...extra }) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const send = async (body: Record<string, unknown>) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 100 });
      sink = await startPushSink();
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('1,000 subscriptions each receive the notification, VAPID-verified and decrypted to the JSON sent', async () => {
      const subs = Array.from({ length: 1000 }, () => sink.subscribe());
      for (const s of subs) await register(s, { tags: { segment: 'bulk' } });
      const id = await send({
        to: { tags: { segment: 'bulk' } },
        title: 'Spring sale',
        body: '20% off today',
        url: 'https://shop.example/sale',
        icon: 'https://shop.example/icon.png',
        actions: [{ action: 'open', title: 'Open', url: 'https://shop.example/sale' }],
        data: { campaign: 'spring' },
        ttl: 3600,
        urgency: 'low',
        topic: 'spring-sale',
      });
      const status = await c.waitCompleted(app.id, app.secretKey, id, 60_000);
      assert.deepEqual(status.counts, { targeted: 1000, sent: 1000, delivered: 1000, failed: 0, expired: 0, pruned: 0, suppressed: 0, pending: 0, displayed: 0, clicked: 0, dismissed: 0 });

      const got = sink.received.filter((r) => (r.json as any)?.notification?.data?.id === id);
      assert.equal(got.length, 1000);
      assert.deepEqual(new Set(got.map((r) => r.subscriptionId)), new Set(subs.map((s) => s.id)), 'each subscription exactly once');
      const expected = {
        web_push: 8030,
        notification: {
          title: 'Spring sale',
          body: '20% off today',
          navigate: 'https://shop.example/sale',
          icon: 'https://shop.example/icon.png',
          actions: [{ action: 'open', title: 'Open', navigate: 'https://shop.example/sale' }],
          data: { campaign: 'spring', id },
        },
      };
      for (const r of got) {
        assert.deepEqual(r.json, expected);
        assert.equal(r.vapidPublicKey, app.vapidPublicKey);
        assert.equal(r.vapidClaims?.aud, sink.url);
        assert.ok(r.headers.ttl! <= 3600 && r.headers.ttl! > 3500);
        assert.equal(r.headers.urgency, 'low');
        assert.equal(r.headers.topic, 'spring-sale');
      }
      // One VAPID token per origin, reused: not one signature per message.
      assert.equal(new Set(got.map((r) => JSON.stringify(r.vapidClaims))).size, 1);
      assert.ok(sink.connections <= c.ctx.config.originConnections, `connections reused: ${sink.connections}`);
      const metrics = (await c.api('GET', '/metrics')).body as string;
      assert.match(metrics, /carillon_push_outcomes_total\{outcome="delivered",provider="webpush"\} (\d+)/);
      assert.ok(Number(/carillon_push_outcomes_total\{outcome="delivered",provider="webpush"\} (\d+)/.exec(metrics)![1]) >= 1000);
      assert.match(metrics, /carillon_delivery_latency_seconds_count (\d+)/);
    });

    test('a subscription answered 410 is pruned, and counted as pruned', async () => {
      const live = sink.subscribe();
      const dead = sink.subscribe();
      await register(live, { userId: 'prune-user' });
      const deadId = await register(dead, { userId: 'prune-user' });
      sink.gone(dead.id);
      const id = await send({ to: { userIds: ['prune-user'] }, title: 'Anyone there?' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.delivered, 1);
      assert.equal(status.counts.pruned, 1);
      const lookup = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${deadId}`, { key: app.secretKey });
      assert.equal(lookup.status, 404);
      const failures = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}/failures`, { key: app.secretKey });
      assert.deepEqual(failures.body.data.map((f: any) => [f.subscriptionId, f.outcome, f.statusCode]), [[deadId, 'gone', 410]]);
    });

    test('503 and 429 (with Retry-After) are retried until delivered', async () => {
      const flaky = sink.subscribe();
      const throttled = sink.subscribe();
      await register(flaky, { userId: 'retry-user' });
      await register(throttled, { userId: 'retry-user' });
      sink.respondWith(flaky.id, [{ status: 503 }, { status: 502 }]);
      sink.respondWith(throttled.id, [{ status: 429, retryAfter: 1 }]);
      const started = Date.now();
      const id = await send({ to: { userIds: ['retry-user'] }, title: 'Eventually' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual(status.counts, { targeted: 2, sent: 2, delivered: 2, failed: 0, expired: 0, pruned: 0, suppressed: 0, pending: 0, displayed: 0, clicked: 0, dismissed: 0 });
      assert.equal(sink.receivedFor(flaky.id).filter((r) => (r.json as any).notification.data.id === id).length, 1);
      const arrivals = sink.receivedFor(throttled.id).filter((r) => (r.json as any).notification.data.id === id);
      assert.equal(arrivals.length, 1);
      assert.ok(arrivals[0]!.receivedAt - started >= 1000, 'Retry-After: 1 was honoured');
      const answers = sink.responses.filter((r) => r.subscriptionId === flaky.id).map((r) => r.status);
      assert.deepEqual(answers.slice(-3), [503, 502, 201]);
    });

    test('400 and 413 answers are recorded as failed with the reason, not retried', async () => {
      const s = sink.subscribe();
      const subId = await register(s, { userId: 'reject-user' });
      sink.respondWith(s.id, [{ status: 400, body: 'bad header' }]);
      const id = await send({ to: { userIds: ['reject-user'] }, title: 'Nope' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.failed, 1);
      assert.equal(status.counts.delivered, 0);
      const failures = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}/failures`, { key: app.secretKey });
      assert.deepEqual(failures.body.data.map((f: any) => [f.subscriptionId, f.outcome, f.statusCode, f.reason]), [[subId, 'rejected', 400, 'HTTP 400: bad header']]);
      assert.equal(sink.responses.filter((r) => r.subscriptionId === s.id).length, 1, 'sent once');
      const still = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${subId}`, { key: app.secretKey });
      assert.equal(still.status, 200, 'a rejected message does not prune the subscription');
    });

    test('a sender that cannot work (its VAPID key does not open) fails the notification at once, with the reason', async () => {
      const broken = await c.createApp('broken key');
      const s = sink.subscribe();
      await c.api('POST', `/v1/apps/${broken.id}/subscriptions`, { key: broken.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
      await c.ctx.store.db.updateTable('apps').set({ vapid_private_key: 'v1.unknown.AAAA.AAAA.AAAA' }).where('id', '=', broken.id).execute();
      const res = await c.api('POST', `/v1/apps/${broken.id}/notifications`, { key: broken.secretKey, body: { to: { all: true }, title: 'Never' } });
      const status = await c.waitCompleted(broken.id, broken.secretKey, res.body.id);
      assert.equal(status.counts.failed, 1);
      assert.equal(status.counts.pending, 0);
      const failures = await c.api('GET', `/v1/apps/${broken.id}/notifications/${res.body.id}/failures`, { key: broken.secretKey });
      assert.equal(failures.body.data[0].reason, 'VAPID key: secret sealed under unknown master key unknown');
      assert.equal(sink.receivedFor(s.id).length, 0);
      const attempts = await c.ctx.store.db.selectFrom('delivery_batches').select('attempt').where('notification_id', '=', res.body.id).execute();
      assert.deepEqual(attempts, [{ attempt: 1 }], 'not retried: another attempt would fail the same way');
    });

    test('a retry that keeps failing gives up after maxAttempts and is counted as failed', async () => {
      const s = sink.subscribe();
      await register(s, { userId: 'down-user' });
      sink.respondWith(s.id, Array.from({ length: 10 }, () => ({ status: 500 })));
      const id = await send({ to: { userIds: ['down-user'] }, title: 'Down' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.failed, 1);
      assert.equal(sink.responses.filter((r) => r.subscriptionId === s.id).length, c.ctx.config.maxAttempts);
    });
  });
}
