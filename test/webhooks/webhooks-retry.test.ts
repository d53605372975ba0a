import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { plant, queueIdle, signedBy, startReceiver, startWebhookCarillon, testClock, type Clock, type Receiver } from './harness.ts';

const S = 1000;
const H = 3600 * S;
const SCHEDULE = [5 * S, 300 * S, 1800 * S, 2 * H, 5 * H, 10 * H, 10 * H];

// BullMQ keeps delays on Redis's clock, not the injected one: the schedule is travelled on
// the stores' own queue (SQLite, PostgreSQL), where `now` decides when a job is due.
for (const kind of STORES) {
  describe(`webhook retries, disabling, rotation and replay on an injected clock (${kind})`, () => {
    let c: TestCarillon;
    let clock: Clock;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const receivers: Receiver[] = [];
    const receiver = async (): Promise<Receiver> => {
      const r = await startReceiver();
      receivers.push(r);
      return r;
    };
    const endpoint = async (url: string, body: Record<string, unknown> = {}) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url, ...body } });
      assert.equal(res.status, 201);
      return res.body as { id: string; secret: string };
    };
    const log = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/webhooks/${id}/messages`, { key: app.secretKey })).body.data as any[];
    const webhook = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/webhooks/${id}`, { key: app.secretKey })).body;

    before(async () => {
      clock = testClock(Date.parse('2026-06-01T00:00:00Z'));
      c = await startWebhookCarillon(kind, { webhookTimeout: 300, webhookDisableAfter: 3 * 24 * H }, { now: clock.now });
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      for (const r of receivers) await r.close();
    });

    test('a 500 is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then the message is failed; a replay starts the schedule again', async () => {
      const rx = await receiver();
      rx.setDefault({ status: 500 });
      const ep = await endpoint(rx.url);
      await plant(c, app.id, [{ type: 'failed', data: { status: 400, reason: 'BadDeviceToken' } }]);
      await eventually(() => assert.equal(rx.received.length, 1));
      for (let i = 0; i < SCHEDULE.length; i++) {
        const [m] = await eventually(async () => {
          const l = await log(ep.id);
          assert.equal(l[0].attempts, i + 1);
          return l;
        });
        assert.equal(m.status, 'pending');
        assert.equal(m.lastStatus, 500);
        assert.equal(Date.parse(m.nextAttemptAt) - Date.parse(m.lastAttemptAt), SCHEDULE[i]);
        // Just before it is due, nothing goes; at the due time, the next attempt does.
        await queueIdle(c);
        clock.advance(SCHEDULE[i]! - 1);
        await new Promise((r) => setTimeout(r, 100));
        assert.equal(rx.received.length, i + 1, `attempt ${i + 2} waited for its time`);
        await queueIdle(c);
        clock.advance(1);
        await eventually(() => assert.equal(rx.received.length, i + 2));
      }
      const [failed] = await eventually(async () => {
        const l = await log(ep.id);
        assert.equal(l[0].status, 'failed');
        return l;
      });
      assert.equal(failed.attempts, 8);
      assert.equal(failed.nextAttemptAt, null);
      // One message, one webhook-id, signed anew at each attempt.
      assert.equal(new Set(rx.received.map((r) => r.headers['webhook-id'])).size, 1);
      for (const r of rx.received) assert.ok(signedBy(ep.secret, r));
      assert.deepEqual(
        rx.received.map((r) => Number(r.headers['webhook-timestamp'])).slice(1).map((t, i) => t - Number(rx.received[i]!.headers['webhook-timestamp'])),
        SCHEDULE.map((d) => d / 1000),
      );
      // Nothing more comes however long one waits.
      await queueIdle(c);
      clock.advance(48 * H);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(rx.received.length, 8);

      const replay = await c.api('POST', `/v1/apps/${app.id}/webhooks/${ep.id}/replay`, { key: app.secretKey, body: { messageId: failed.id } });
      assert.equal(replay.status, 202);
      assert.deepEqual(replay.body, { replayed: 1 });
      await eventually(() => assert.equal(rx.received.length, 9));
      const [again] = await eventually(async () => {
        const l = await log(ep.id);
        assert.equal(l[0].attempts, 9);
        return l;
      });
      assert.equal(again.status, 'pending');
      assert.equal(Date.parse(again.nextAttemptAt) - Date.parse(again.lastAttemptAt), SCHEDULE[0]);
      await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey });

      const metrics = await c.api('GET', '/metrics');
      assert.match(metrics.body, new RegExp(`carillon_webhook_attempts_total\\{endpoint="${ep.id}",status="500"\\} 9`));
      assert.match(metrics.body, new RegExp(`carillon_webhook_failures_total\\{endpoint="${ep.id}",status="500"\\} 9`));
      assert.match(metrics.body, /carillon_webhook_event_lag_seconds_count \d+/);
    });

    test('a timeout counts as a failed attempt and is retried on the schedule', async () => {
      const rx = await receiver();
      rx.answer('hang');
      const ep = await endpoint(rx.url);
      await plant(c, app.id, [{ type: 'displayed' }]);
      const [m] = await eventually(async () => {
        const l = await log(ep.id);
        assert.equal(l[0]?.attempts, 1);
        return l;
      });
      assert.equal(m.lastStatus, null);
      assert.match(m.lastError, /^timeout/);
      assert.equal(Date.parse(m.nextAttemptAt) - Date.parse(m.lastAttemptAt), SCHEDULE[0]);
      await queueIdle(c);
      clock.advance(SCHEDULE[0]!);
      await eventually(async () => assert.equal((await log(ep.id))[0].status, 'delivered'));
      assert.equal(rx.received.length, 2);
      assert.equal(rx.received[0]!.body, rx.received[1]!.body);
      await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey });
    });

    test('Retry-After later than the schedule is honoured', async () => {
      const rx = await receiver();
      rx.answer({ status: 429, headers: { 'retry-after': '120' } }, { status: 503, headers: { 'retry-after': new Date(clock.now() + 2 * H).toUTCString() } });
      const ep = await endpoint(rx.url);
      await plant(c, app.id, [{ type: 'dismissed' }]);
      const [first] = await eventually(async () => {
        const l = await log(ep.id);
        assert.equal(l[0]?.attempts, 1);
        return l;
      });
      assert.equal(first.lastStatus, 429);
      assert.equal(Date.parse(first.nextAttemptAt) - Date.parse(first.lastAttemptAt), 120 * S);
      await queueIdle(c);
      clock.advance(120 * S);
      const [second] = await eventually(async () => {
        const l = await log(ep.id);
        assert.equal(l[0].attempts, 2);
        return l;
      });
      assert.equal(second.lastStatus, 503);
      // The HTTP date was 2 h after the first attempt, 118 min after this one: later than the 5 min of the schedule.
      assert.equal(Date.parse(second.nextAttemptAt) - Date.parse(second.lastAttemptAt), 2 * H - 120 * S);
      await queueIdle(c);
      clock.advance(2 * H);
      await eventually(async () => assert.equal((await log(ep.id))[0].status, 'delivered'));
      await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey });
    });

    test('410 disables the endpoint at once; the app’s other endpoints are told', async () => {
      const gone = await receiver();
      gone.answer({ status: 410 });
      const watcher = await receiver();
      const a = await startAppEndpoints();
      async function startAppEndpoints() {
        const goneEp = await endpoint(gone.url, { events: ['notification.sent'] });
        const watchEp = await endpoint(watcher.url, { events: ['webhook.endpoint_disabled'] });
        return { goneEp, watchEp };
      }
      await plant(c, app.id, [{ type: 'sent' }]);
      const told = await eventually(() => {
        assert.equal(watcher.received.length, 1);
        return watcher.received[0]!;
      });
      assert.ok(signedBy(a.watchEp.secret, told));
      const event = JSON.parse(told.body);
      assert.equal(event.type, 'webhook.endpoint_disabled');
      assert.deepEqual(event.data, { appId: app.id, endpointId: a.goneEp.id, url: gone.url, reason: 'gone' });
      const view = await webhook(a.goneEp.id);
      assert.equal(view.enabled, false);
      assert.equal(view.disabledReason, 'gone');
      assert.equal((await log(a.goneEp.id))[0].status, 'failed');
      await plant(c, app.id, [{ type: 'sent' }]);
      await queueIdle(c);
      clock.advance(H);
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(gone.received.length, 1);
      for (const ep of [a.goneEp, a.watchEp]) await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey });
    });

    test('an endpoint failing for longer than webhookDisableAfter is disabled and the app told', async () => {
      const down = await receiver();
      down.setDefault({ status: 502 });
      const watcher = await receiver();
      const downEp = await endpoint(down.url, { events: ['notification.clicked'] });
      const watchEp = await endpoint(watcher.url, { events: ['webhook.endpoint_disabled'] });
      const started = clock.now();
      await plant(c, app.id, [{ type: 'clicked' }]);
      await eventually(async () => assert.equal((await webhook(downEp.id)).failingSince, new Date(started).toISOString()));
      // Two days on, still failing (the first message's retries among them), not yet disabled.
      await queueIdle(c);
      clock.advance(48 * H);
      await plant(c, app.id, [{ type: 'clicked' }]);
      await eventually(async () => assert.equal((await log(downEp.id)).length, 2));
      await eventually(async () => assert.equal((await log(downEp.id)).find((m) => m.attempts === 0), undefined));
      assert.equal((await webhook(downEp.id)).enabled, true);
      // Past three days of failures: the next failed attempt disables it.
      await queueIdle(c);
      clock.advance(25 * H);
      await plant(c, app.id, [{ type: 'clicked' }]);
      const view = await eventually(async () => {
        const v = await webhook(downEp.id);
        assert.equal(v.enabled, false);
        return v;
      });
      assert.equal(view.disabledReason, 'failing');
      assert.equal(view.failingSince, new Date(started).toISOString());
      const told = await eventually(() => {
        assert.equal(watcher.received.length, 1);
        return JSON.parse(watcher.received[0]!.body);
      });
      assert.equal(told.data.reason, 'failing');
      assert.equal(told.data.failingSince, new Date(started).toISOString());
      // Enabled again by the app, the flag clears.
      const enabled = await c.api('PATCH', `/v1/apps/${app.id}/webhooks/${downEp.id}`, { key: app.secretKey, body: { enabled: true } });
      assert.equal(enabled.body.disabledReason, null);
      assert.equal(enabled.body.failingSince, null);
      for (const ep of [downEp, watchEp]) await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey });
    });

    test('after a rotation both secrets sign during the grace period, then only the new one', async () => {
      const rx = await receiver();
      const ep = await endpoint(rx.url);
      const rotated = await c.api('POST', `/v1/apps/${app.id}/webhooks/${ep.id}/rotate-secret`, { key: app.secretKey, body: {} });
      assert.equal(rotated.status, 200);
      assert.notEqual(rotated.body.secret, ep.secret);
      assert.equal(Date.parse(rotated.body.previousSecretExpiresAt) - clock.now(), 24 * H);
      await plant(c, app.id, [{ type: 'clicked' }]);
      const during = await eventually(() => {
        assert.equal(rx.received.length, 1);
        return rx.received[0]!;
      });
      assert.equal(during.headers['webhook-signature']!.split(' ').length, 2);
      assert.ok(signedBy(ep.secret, during), 'the old secret verifies in the grace period');
      assert.ok(signedBy(rotated.body.secret, during), 'the new secret verifies in the grace period');
      await queueIdle(c);
      clock.advance(24 * H);
      await plant(c, app.id, [{ type: 'clicked' }]);
      const afterGrace = await eventually(() => {
        assert.equal(rx.received.length, 2);
        return rx.received[1]!;
      });
      assert.equal(afterGrace.headers['webhook-signature']!.split(' ').length, 1);
      assert.ok(signedBy(rotated.body.secret, afterGrace));
      assert.ok(!signedBy(ep.secret, afterGrace), 'the old secret no longer signs');
      await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey });
    });

    test('a replay of a time range sends again the messages of events in [from, to), same ids and bodies', async () => {
      const rx = await receiver();
      const ep = await endpoint(rx.url);
      const t0 = clock.now();
      await plant(c, app.id, [0, 1, 2, 3].map((i) => ({ type: 'delivered' as const, at: t0 + i * 60 * S, subscriptionId: `sub_${i}` })));
      await eventually(() => assert.equal(rx.received.length, 4));
      const replay = await c.api('POST', `/v1/apps/${app.id}/webhooks/${ep.id}/replay`, { key: app.secretKey, body: { from: new Date(t0 + 60 * S).toISOString(), to: new Date(t0 + 180 * S).toISOString() } });
      assert.equal(replay.status, 202);
      assert.deepEqual(replay.body, { replayed: 2 });
      await eventually(() => assert.equal(rx.received.length, 6));
      const first = new Map(rx.received.slice(0, 4).map((r) => [r.headers['webhook-id'], r.body]));
      const again = rx.received.slice(4);
      assert.deepEqual(again.map((r) => JSON.parse(r.body).data.subscriptionId).sort(), ['sub_1', 'sub_2']);
      for (const r of again) {
        assert.equal(first.get(r.headers['webhook-id']), r.body);
        assert.ok(signedBy(ep.secret, r));
      }
      await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey });
    });
  });
}
