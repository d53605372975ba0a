import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { ApnsSimulator } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { useSimulatorCredentials } from '../simulators/app-credentials.ts';
import { TEST_CA } from '../simulators/h2-server.ts';
import { eventually } from '../support/eventually.ts';
import { DELIVERY_KB } from './assistant/delivery-knowledge-base.ts';
import { postReply, sendAnswerable } from './fixture.ts';

const BUNDLE = 'com.example.carillon';

for (const kind of STORES) {
  describe(`replies from iOS and Android apps (${kind})`, () => {
    let c: TestCarillon;
    let apns: ApnsSimulator;
    let fcm: FcmSimulator;

    before(async () => {
      apns = await ApnsSimulator.start();
      fcm = await FcmSimulator.start();
      c = await startCarillon(kind, { apnsUrl: apns.url, fcmUrl: fcm.url, publicUrl: 'https://push.example.org' }, { providerCa: TEST_CA });
    });
    after(async () => {
      await c.stop();
      await Promise.all([apns.close(), fcm.close()]);
    });

    test('APNs carries the reply category, the thread as thread-id and the token; FCM the RemoteInput keys, the thread as tag and collapse key; both apps reply to the same endpoint', async () => {
      const app = await c.createApp();
      const { account } = await useSimulatorCredentials(c, app, apns, fcm, BUNDLE);
      assert.equal((await c.api('PUT', `/v1/apps/${app.id}/assistant/knowledge-base`, { key: app.secretKey, body: DELIVERY_KB })).status, 200);
      const iphone = apns.registerDevice(BUNDLE);
      const pixel = fcm.registerDevice(account.project_id!);
      const register = async (body: Record<string, unknown>) => (await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, body) })).body.id as string;
      const apnsSub = await register({ channel: 'apns', token: iphone, environment: 'production', userId: 'ada' });
      const fcmSub = await register({ channel: 'fcm', token: pixel, userId: 'ada' });

      await sendAnswerable(c, app, [apnsSub, fcmSub], 'builtin');
      const a = await eventually(() => {
        const [d] = apns.deliveriesTo(iphone);
        assert.ok(d);
        return d.payload;
      }, 15_000);
      assert.equal(a.aps.category, 'CARILLON_REPLY', 'the category the app registers with a UNTextInputNotificationAction');
      assert.match(a.aps['thread-id'], /^cnv_/);
      assert.deepEqual(a.aps.alert, { title: 'Your parcel ships today', body: 'Questions? Reply here.' });
      assert.deepEqual(Object.keys(a.reply).sort(), ['conversationId', 'endpoint', 'token']);
      assert.equal(a.reply.conversationId, a.aps['thread-id']);
      assert.equal(a.reply.endpoint, 'https://push.example.org/v1/reply');

      const f = await eventually(() => {
        const [d] = fcm.deliveriesTo(pixel);
        assert.ok(d);
        return d.message;
      }, 15_000);
      assert.equal(f.data.reply_placeholder, 'Ask us anything');
      assert.equal(f.data.reply_title, 'Reply');
      assert.equal(f.data.reply_endpoint, 'https://push.example.org/v1/reply');
      assert.match(f.data.reply_conversation_id, /^cnv_/);
      assert.notEqual(f.data.reply_conversation_id, a.reply.conversationId, 'a thread per device');
      assert.equal(f.android.notification.tag, f.data.reply_conversation_id);
      assert.equal(f.android.collapse_key, f.data.reply_conversation_id);

      // The iPhone replies; the answer comes back in the same thread, with a new token.
      const res = await postReply(c, { token: a.reply.token, text: 'How long does delivery take?' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const answer = await eventually(() => {
        const d = apns.deliveriesTo(iphone)[1];
        assert.ok(d);
        return d;
      }, 15_000);
      assert.equal(answer.payload.aps.alert.body, 'Parcels arrive in 2 to 3 working days.');
      assert.equal(answer.payload.aps['thread-id'], a.aps['thread-id']);
      assert.equal(answer.payload.aps.category, 'CARILLON_REPLY');
      assert.equal(answer.headers['apns-priority'], '10');

      // The Android app replies too.
      assert.equal((await postReply(c, { token: f.data.reply_token, text: 'Combien coûte la livraison ?' })).status, 200);
      const fAnswer = await eventually(() => {
        const d = fcm.deliveriesTo(pixel)[1];
        assert.ok(d);
        return d.message;
      }, 15_000);
      assert.equal(fAnswer.notification.body, 'La livraison est offerte dès 30 €, 4,90 € en dessous.');
      assert.equal(fAnswer.android.notification.tag, f.data.reply_conversation_id);
      assert.equal(fAnswer.data.reply_conversation_id, f.data.reply_conversation_id);
    });
  });
}
