import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { lastActivitySeq } from '../../src/store/activity-log.ts';
import { oldestUnreadActivitySeq } from '../../src/webhooks/index.ts';
import { plant, startReceiver, queueIdle, startWebhookCarillon, testClock, type Clock, type Receiver } from './harness.ts';

const DAY = 86_400_000;

for (const kind of STORES) {
  describe(`what webhooks keep, and what they let go (${kind})`, () => {
    let c: TestCarillon;
    let clock: Clock;
    let rx: Receiver;
    before(async () => {
      clock = testClock(Date.parse('2026-06-01T00:00:00Z'));
      rx = await startReceiver();
      c = await startWebhookCarillon(kind, { webhookLogRetentionDays: 30, webhookDisableAfter: 90 * DAY }, { now: clock.now });
    });
    after(async () => {
      await c.stop();
      await rx.close();
    });

    test('the oldest unread seq is where the slowest enabled endpoint stands; a disabled one holds nothing back', async () => {
      const app = await c.createApp();
      const db = c.ctx.store.db;
      assert.equal(await oldestUnreadActivitySeq(db), (await lastActivitySeq(db)) + 1, 'no endpoint: nothing is held');
      // An endpoint whose receiver is not there: its events stay unread while it fails.
      const stuck = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['notification.sent'] } })).body;
      const start = await lastActivitySeq(db);
      await db.updateTable('webhook_endpoints').set({ enabled: 0 }).where('id', '=', stuck.id).execute();
      await plant(c, app.id, [{ type: 'sent' }, { type: 'sent' }]);
      assert.equal(await oldestUnreadActivitySeq(db), start + 3, 'disabled: not held');
      await db.updateTable('webhook_endpoints').set({ enabled: 1 }).where('id', '=', stuck.id).execute();
      // Enabled, it holds from its cursor until the dispatcher has read past it.
      const held = await oldestUnreadActivitySeq(db);
      assert.ok(held === start + 1 || held === start + 3, `held from ${held}`);
      await eventually(async () => assert.equal(await oldestUnreadActivitySeq(db), start + 3));
      await eventually(() => assert.equal(rx.received.length, 2));
      await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${stuck.id}`, { key: app.secretKey });
    });

    test('an endpoint for rare events moves past the others, and holds none of them back', async () => {
      const app = await c.createApp();
      const db = c.ctx.store.db;
      const rare = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['notification.converted'] } })).body;
      const told = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url, events: ['webhook.endpoint_disabled'] } })).body;
      const before = rx.received.length;
      await plant(c, app.id, Array.from({ length: 20 }, () => ({ type: 'sent' as const })));
      await eventually(async () => assert.equal(await oldestUnreadActivitySeq(db), (await lastActivitySeq(db)) + 1));
      await plant(c, app.id, [{ type: 'converted', value: 3 }]);
      await eventually(() => assert.equal(rx.received.length, before + 1));
      assert.equal(JSON.parse(rx.received.at(-1)!.body).type, 'notification.converted');
      for (const ep of [rare, told]) await c.api('DELETE', `/v1/apps/${app.id}/webhooks/${ep.id}`, { key: app.secretKey });
    });

    test('delivered messages go after webhookLogRetentionDays; pending ones stay', async () => {
      const app = await c.createApp();
      const ep = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url } })).body;
      const log = async () => (await c.api('GET', `/v1/apps/${app.id}/webhooks/${ep.id}/messages`, { key: app.secretKey })).body.data as any[];
      await plant(c, app.id, [{ type: 'clicked' }]);
      await eventually(async () => assert.equal((await log())[0]?.status, 'delivered'));
      // A pending message older than the retention: its attempt is far off (Retry-After), and it must survive.
      rx.setDefault({ status: 503, headers: { 'retry-after': String(24 * 3600) } });
      await plant(c, app.id, [{ type: 'dismissed' }]);
      await eventually(async () => assert.equal((await log()).find((m) => m.type === 'notification.dismissed')?.attempts, 1));
      await queueIdle(c);
      clock.advance(29 * DAY);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await log()).length, 2, 'kept within the retention');
      await queueIdle(c);
      clock.advance(2 * DAY);
      await eventually(async () => {
        const l = await log();
        assert.deepEqual(l.map((m) => m.type), ['notification.dismissed']);
        assert.equal(l[0].status, 'pending');
      });
    });
  });
}
