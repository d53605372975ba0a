/**
 * First in line on phones (docs/civic-alerts.md#first-in-line): a top-priority alert's APNs
 * and FCM requests go over sessions of the urgent lane, with stream slots of their own, so
 * a broadcast whose streams fill every ordinary slot to the same host (the simulators hold
 * their answers) does not hold the alert. The alert reaches both phones, on connections
 * other than the broadcast's, while the broadcast is still waiting for its answers; then
 * the broadcast ends as well.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { ApnsSimulator } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { useSimulatorCredentials } from '../simulators/app-credentials.ts';
import { TEST_CA } from '../simulators/h2-server.ts';

const BUNDLE = 'com.example.city';
/** Streams in flight per host for the broadcast: every one of them held. */
const ORDINARY_SLOTS = 2;
/** Broadcast devices per channel: more than the slots, so some wait in the pool's queue. */
const BROADCAST_DEVICES = 5;

const ALERT =
  `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>FLOOD-1</identifier><sender>ops@city.example</sender><sent>2026-12-01T10:00:00-00:00</sent>` +
  `<status>Actual</status><msgType>Alert</msgType><scope>Public</scope>` +
  `<info><category>Met</category><event>Flash flood</event><urgency>Immediate</urgency><severity>Extreme</severity><certainty>Observed</certainty>` +
  `<headline>Flash flood: move to higher ground</headline><area><areaDesc>Centre</areaDesc><circle>48.85,2.35 2</circle></area></info></alert>`;

describe('a top-priority alert on APNs and FCM is not queued behind a broadcast to the same hosts (sqlite)', () => {
  let c: TestCarillon;
  let apns: ApnsSimulator;
  let fcm: FcmSimulator;

  before(async () => {
    apns = await ApnsSimulator.start();
    fcm = await FcmSimulator.start();
    c = await startCarillon('sqlite', { apnsUrl: apns.url, fcmUrl: fcm.url, originConcurrency: ORDINARY_SLOTS }, { providerCa: TEST_CA });
  });
  after(async () => {
    await c.stop();
    await Promise.all([apns.close(), fcm.close()]);
  });

  test('the alert is delivered on connections of its own while the broadcast’s streams are held', async () => {
    const app = await c.createApp();
    const { account } = await useSimulatorCredentials(c, app, apns, fcm, BUNDLE);
    const subscribe = async (body: Record<string, unknown>) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: 'userId' in body ? withUserProof(app, body) : body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };

    // The broadcast's devices answer only once the gate opens.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const broadcastSubs: string[] = [];
    const broadcastTokens = { apns: [] as string[], fcm: [] as string[] };
    for (let i = 0; i < BROADCAST_DEVICES; i++) {
      const iphone = apns.registerDevice(BUNDLE);
      const pixel = fcm.registerDevice(account.project_id!);
      apns.respondWith(iphone, [{ until: gate }]);
      fcm.respondWith(pixel, [{ until: gate }]);
      broadcastTokens.apns.push(iphone);
      broadcastTokens.fcm.push(pixel);
      broadcastSubs.push(await subscribe({ channel: 'apns', token: iphone, environment: 'production' }), await subscribe({ channel: 'fcm', token: pixel }));
    }
    // The resident in the alert's area, with a phone of each kind.
    assert.ok((await c.api('PUT', `/v1/apps/${app.id}/users/ada`, { key: app.secretKey, body: { location: { lat: 48.851, lon: 2.351 } } })).status < 300);
    const iphone = apns.registerDevice(BUNDLE);
    const pixel = fcm.registerDevice(account.project_id!);
    await subscribe({ channel: 'apns', token: iphone, environment: 'production', userId: 'ada' });
    await subscribe({ channel: 'fcm', token: pixel, userId: 'ada' });

    const broadcast = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { subscriptionIds: broadcastSubs }, title: 'Sale' } });
    assert.equal(broadcast.status, 202, JSON.stringify(broadcast.body));
    // Every ordinary stream slot to each host is taken, and the rest of the broadcast waits for one.
    await eventually(() => assert.deepEqual([apns.held, fcm.held], [ORDINARY_SLOTS, ORDINARY_SLOTS]), 20_000);

    const alert = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: ALERT, headers: { 'content-type': 'application/cap+xml' } });
    assert.equal(alert.status, 201, JSON.stringify(alert.body));
    assert.equal(alert.body.infos[0].topPriority, true);
    const sent = await c.waitCompleted(app.id, app.secretKey, alert.body.notification.id);
    assert.equal(sent.counts.delivered, 2, JSON.stringify(sent.counts));

    const [onIphone] = apns.deliveriesTo(iphone);
    const [onPixel] = fcm.deliveriesTo(pixel);
    assert.equal(onIphone!.headers['apns-priority'], '10');
    assert.equal((onIphone!.payload as any).aps.alert.title, 'Flash flood: move to higher ground');
    assert.equal((onPixel!.message as any).android.priority, 'HIGH');
    // The broadcast is still waiting on its held streams: nothing of it delivered yet.
    assert.deepEqual([apns.held, fcm.held], [ORDINARY_SLOTS, ORDINARY_SLOTS]);
    assert.equal((await c.api('GET', `/v1/apps/${app.id}/notifications/${broadcast.body.id}`, { key: app.secretKey })).body.counts.delivered, 0);

    open();
    const done = await c.waitCompleted(app.id, app.secretKey, broadcast.body.id);
    assert.equal(done.counts.delivered, 2 * BROADCAST_DEVICES, JSON.stringify(done.counts));
    // The alert came on a session of its own, on each host.
    const broadcastConnections = (sim: { deliveriesTo(t: string): { connection: number }[] }, tokens: string[]) => new Set(tokens.flatMap((t) => sim.deliveriesTo(t).map((d) => d.connection)));
    assert.equal(broadcastConnections(apns, broadcastTokens.apns).has(onIphone!.connection), false);
    assert.equal(broadcastConnections(fcm, broadcastTokens.fcm).has(onPixel!.connection), false);
  });
});
