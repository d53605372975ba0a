/**
 * Civic alerts on phones, against the APNs and FCM simulators (test/simulators), on SQLite
 * and PostgreSQL: a top-priority alert goes as time-sensitive with the alert sound and high
 * priority; once the app says its credentials carry Apple's critical-alert entitlement, the
 * Update goes as critical; the alert and its Update share one apns-collapse-id and one FCM
 * collapse_key, so the Update replaces the alert on the device. The machine's clock: the
 * simulators check provider tokens against it, as Apple and Google do.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { ApnsSimulator } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { useSimulatorCredentials } from '../simulators/app-credentials.ts';
import { TEST_CA } from '../simulators/h2-server.ts';

const BUNDLE = 'com.example.city';

function alertXml(identifier: string, extra = '', msgType = 'Alert', sent = '2026-12-01T10:00:00-00:00') {
  return (
    `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${identifier}</identifier><sender>ops@city.example</sender><sent>${sent}</sent>` +
    `<status>Actual</status><msgType>${msgType}</msgType><scope>Public</scope>${extra}` +
    `<info><category>Safety</category><event>Gas leak</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>` +
    `<headline>Gas leak: stay indoors</headline><description>A gas main broke on Rue A.</description>` +
    `<area><areaDesc>Centre</areaDesc><circle>48.85,2.35 2</circle></area></info></alert>`
  );
}

for (const kind of STORES) {
  describe(`civic alerts on APNs and FCM (${kind})`, () => {
    let c: TestCarillon;
    let apns: ApnsSimulator;
    let fcm: FcmSimulator;

    before(async () => {
      apns = await ApnsSimulator.start();
      fcm = await FcmSimulator.start();
      c = await startCarillon(kind, { apnsUrl: apns.url, fcmUrl: fcm.url }, { providerCa: TEST_CA });
    });
    after(async () => {
      await c.stop();
      await Promise.all([apns.close(), fcm.close()]);
    });

    test('the alert and its Update share the collapse id and key; time-sensitive, then critical with the entitlement', async () => {
      const app = await c.createApp();
      const { account } = await useSimulatorCredentials(c, app, apns, fcm, BUNDLE);
      assert.equal((await c.api('PUT', `/v1/apps/${app.id}/users/ada`, { key: app.secretKey, body: { language: 'fr-FR', location: { lat: 48.851, lon: 2.351 } } })).status < 300, true);
      const iphone = apns.registerDevice(BUNDLE);
      const pixel = fcm.registerDevice(account.project_id!);
      for (const body of [{ channel: 'apns', token: iphone, environment: 'production', userId: 'ada' }, { channel: 'fcm', token: pixel, userId: 'ada' }]) {
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, body) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
      }
      const post = async (xml: string) => {
        const res = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: xml, headers: { 'content-type': 'application/cap+xml' } });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        await c.waitCompleted(app.id, app.secretKey, res.body.notification.id);
        return res.body;
      };

      const first = await post(alertXml('GAS-1'));
      assert.deepEqual((await c.api('GET', `/v1/apps/${app.id}/alert-settings`, { key: app.secretKey })).body, { publicPage: true, apnsCriticalAlerts: false, categories: {} });
      assert.deepEqual((await c.api('PUT', `/v1/apps/${app.id}/alert-settings`, { key: app.secretKey, body: { apnsCriticalAlerts: true } })).body, { publicPage: true, apnsCriticalAlerts: true, categories: {} }, 'a setting the body does not name keeps its value');
      await post(alertXml('GAS-1U', '<references>ops@city.example,GAS-1,2026-12-01T10:00:00-00:00</references>', 'Update', '2026-12-01T10:03:00-00:00'));

      const [a1, a2] = apns.deliveriesTo(iphone);
      assert.deepEqual([a1!.headers['apns-collapse-id'], a2!.headers['apns-collapse-id']], [first.id, first.id]);
      assert.deepEqual([a1!.headers['apns-priority'], a2!.headers['apns-priority']], ['10', '10']);
      const aps1 = (a1!.payload as any).aps;
      const aps2 = (a2!.payload as any).aps;
      assert.deepEqual([aps1['interruption-level'], aps2['interruption-level']], ['time-sensitive', 'critical']);
      assert.equal(aps1.sound, 'civic_alert');
      assert.deepEqual(aps1.alert, { title: 'Gas leak: stay indoors', body: 'A gas main broke on Rue A.' });

      const [f1, f2] = fcm.deliveriesTo(pixel);
      const m1 = f1!.message as any;
      const m2 = f2!.message as any;
      assert.deepEqual([m1.android.collapse_key, m2.android.collapse_key], [first.id, first.id]);
      assert.deepEqual([m1.android.priority, m2.android.priority], ['HIGH', 'HIGH']);
      assert.equal(m1.notification.title, 'Gas leak: stay indoors');
      assert.equal(JSON.parse(m1.data.alert).severity, 'Severe');
    });
  });
}
