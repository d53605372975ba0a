/**
 * Personal messages on APNs and FCM, end to end through the protocol simulators: each
 * device gets the message its personaliser gave it, and a message too large for its
 * channel fails for that device alone, counted, listed and recorded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { ApnsSimulator } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { useSimulatorCredentials } from '../simulators/app-credentials.ts';
import { TEST_CA } from '../simulators/h2-server.ts';
import type { Personaliser } from '../../src/delivery/personaliser.ts';

const BUNDLE = 'com.example.carillon';

/** Each user a title with their name; `long-lou` a body no channel takes. */
const byName: Personaliser = {
  async personalise(_n, recipients, base) {
    return recipients.map((r) => ({
      message: { ...base, content: { ...base.content, title: `Hi ${r.externalId}`, ...(r.externalId === 'long-lou' ? { body: 'y'.repeat(4500) } : {}) } },
    }));
  },
};

for (const kind of DEPLOYMENTS) {
  describe(`personal messages on APNs and FCM (${kind})`, () => {
    let c: TestCarillon;
    let apns: ApnsSimulator;
    let fcm: FcmSimulator;

    before(async () => {
      apns = await ApnsSimulator.start();
      fcm = await FcmSimulator.start();
      c = await startCarillon(kind, { apnsUrl: apns.url, fcmUrl: fcm.url }, { providerCa: TEST_CA, personaliser: byName });
    });
    after(async () => {
      await c.stop();
      await Promise.all([apns.close(), fcm.close()]);
    });

    test('every device its own title; the one too large fails alone as too_large', async () => {
      const app = await c.createApp();
      const { account } = await useSimulatorCredentials(c, app, apns, fcm, BUNDLE);
      const users = ['ada', 'bo', 'long-lou'];
      const phones = users.map(() => apns.registerDevice(BUNDLE));
      const pixels = users.map(() => fcm.registerDevice(account.project_id!));
      const subIds: string[] = [];
      for (const [i, user] of users.entries()) {
        for (const body of [{ channel: 'apns', token: phones[i], environment: 'production' }, { channel: 'fcm', token: pixels[i] }]) {
          const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { ...body, userId: user }) });
          assert.equal(res.status, 201, JSON.stringify(res.body));
          subIds.push(res.body.id);
        }
      }
      const sent = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: users }, title: 'Hi' } });
      assert.equal(sent.status, 202, JSON.stringify(sent.body));
      const id = sent.body.id as string;
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual([status.counts.targeted, status.counts.delivered, status.counts.failed, status.counts.pending], [6, 4, 2, 0]);

      assert.deepEqual(phones.map((t) => apns.deliveriesTo(t).map((d) => (d.payload as any).aps.alert.title)), [['Hi ada'], ['Hi bo'], []]);
      assert.deepEqual(pixels.map((t) => fcm.deliveriesTo(t).map((d) => (d.message as any).notification.title)), [['Hi ada'], ['Hi bo'], []]);

      const failures = (await c.api('GET', `/v1/apps/${app.id}/notifications/${id}/failures`, { key: app.secretKey })).body.data;
      assert.deepEqual(failures.map((f: any) => [f.subscriptionId, f.outcome]).sort(), [[subIds[4], 'too_large'], [subIds[5], 'too_large']].sort());
      assert.ok(failures.some((f: any) => /^payload of \d+ bytes is over the apns limit of 4096 bytes$/.test(f.reason)));
      assert.ok(failures.some((f: any) => /^payload of \d+ bytes is over the fcm limit of 4096 bytes$/.test(f.reason)));
      const reasons = await c.ctx.store.db.selectFrom('send_records').select(['reason']).where('notification_id', '=', id).execute();
      assert.deepEqual(reasons.map((r) => r.reason).sort(), ['sent', 'sent', 'sent', 'sent', 'too_large', 'too_large']);
    });
  });
}
