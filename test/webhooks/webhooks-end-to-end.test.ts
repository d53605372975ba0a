/**
 * The activity log's real writers feed the webhooks: a browser subscribes, a notification
 * is sent and delivered to it, and the browser reports a display and a click; the app's
 * endpoint receives each of those as a Standard Webhooks message that the reference
 * library verifies, with the dimensions the analytics API counts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { userWithDevice } from '../campaigns/campaign-fixture.ts';
import { verify, webhookRig } from './harness.ts';

for (const kind of STORES) {
  describe(`webhooks from the real outcomes of a send (${kind})`, () => {
    const rig = webhookRig(kind);

    test('subscribed, sent, delivered, displayed and clicked arrive verified, naming the user, the subscription and the category', async () => {
      const { c, rx, sink } = rig;
      const app = await c.createApp();
      const hook = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url } })).body;
      await userWithDevice(c, sink, app, 'ana', { attributes: { plan: 'pro' } });
      const subscription = (await c.ctx.store.db.selectFrom('subscriptions').select('id').where('app_id', '=', app.id).where('user_id', '=', 'ana').executeTakeFirstOrThrow()).id;
      const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['ana'] }, title: 'Your order shipped', preferenceCategory: 'orders' } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const notificationId = sent.body.id as string;
      await eventually(() => assert.equal(sink.received.length, 1, 'the browser got the push'));
      const reported = await c.api('POST', `/v1/apps/${app.id}/events`, {
        key: app.publishableKey,
        body: { events: [{ type: 'displayed', notificationId, subscriptionId: subscription }, { type: 'clicked', notificationId, subscriptionId: subscription, action: 'track' }] },
      });
      assert.equal(reported.status, 200, JSON.stringify(reported.body));

      const want = ['subscription.opted_in', 'notification.sent', 'notification.delivered', 'notification.displayed', 'notification.clicked'];
      const payloads = await eventually(() => {
        const got = rx.received.flatMap((r) => {
          const p = verify(hook.secret, r);
          return p.type === 'batch' ? p.data : [p];
        });
        assert.deepEqual(got.map((p: any) => p.type).sort(), [...want].sort());
        return got;
      });
      const byType = Object.fromEntries(payloads.map((p: any) => [p.type, p.data]));
      assert.equal(byType['subscription.opted_in'].subscriptionId, subscription);
      assert.equal(byType['subscription.opted_in'].userId, 'ana');
      for (const type of want.slice(1)) {
        assert.equal(byType[type].notificationId, notificationId, type);
        assert.equal(byType[type].subscriptionId, subscription, type);
        assert.equal(byType[type].userId, 'ana', type);
        assert.equal(byType[type].category, 'orders', type);
        assert.equal(byType[type].channel, 'webpush', type);
      }
      assert.equal(byType['notification.clicked'].action, 'track');

      // The same outcomes, counted by the analytics API.
      const analytics = await c.api('GET', `/v1/apps/${app.id}/notifications/${notificationId}/analytics`, { key: app.secretKey });
      assert.equal(analytics.status, 200, JSON.stringify(analytics.body));
      const funnel = analytics.body.funnel;
      assert.equal(funnel.sent, 1, JSON.stringify(funnel));
      assert.equal(funnel.delivered, 1, JSON.stringify(funnel));
      assert.equal(funnel.displayed, 1, JSON.stringify(funnel));
      assert.equal(funnel.clicked, 1, JSON.stringify(funnel));
    });
  });
}
