import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { ApnsSimulator, type ApnsTeam } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { TEST_CA } from '../simulators/h2-server.ts';

const BUNDLE = 'com.example.carillon';
const DEVICES = 10_000;

type App = Awaited<ReturnType<TestCarillon['createApp']>>;

/** The delivery counts, without the engagement ones (displayed, clicked) the SDK reports. */
function deliveryCounts(c: Record<string, number>) {
  const { targeted, sent, delivered, failed, expired, pruned, pending } = c;
  return { targeted, sent, delivered, failed, expired, pruned, pending };
}

/** Registers many devices straight in the store: the API's registration is tested elsewhere, and 10,000 requests would be the test's whole time. */
async function insertDevices(c: TestCarillon, appId: string, channel: string, tokens: string[]): Promise<void> {
  const now = Date.now();
  for (let i = 0; i < tokens.length; i += 1000) {
    await c.ctx.store.db
      .insertInto('subscriptions')
      .values(
        tokens.slice(i, i + 1000).map((token, k) => ({
          id: `sub_bulk_${channel}_${i + k}_${appId.slice(-6)}`,
          app_id: appId,
          channel,
          address: token,
          p256dh: null,
          auth: null,
          environment: channel === 'apns' ? 'production' : null,
          app_topic: null,
          user_id: null,
          tags: '{}',
          language: null,
          timezone: null,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  }
}

for (const kind of DEPLOYMENTS) {
  describe(`APNs and FCM delivery end to end (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let apns: ApnsSimulator;
    let fcm: FcmSimulator;

    const send = async (app: App, body: Record<string, unknown>) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const register = async (app: App, body: Record<string, unknown>) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, body) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const setCredentials = async (app: App, team: ApnsTeam | null, serviceAccount: Record<string, string> | null) => {
      if (team) {
        const res = await c.api('PUT', `/v1/apps/${app.id}/credentials/apns`, { key: app.secretKey, body: { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      if (serviceAccount) {
        const res = await c.api('PUT', `/v1/apps/${app.id}/credentials/fcm`, { key: app.secretKey, body: { serviceAccount } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
    };

    before(async () => {
      apns = await ApnsSimulator.start();
      fcm = await FcmSimulator.start();
      sink = await startPushSink();
      c = await startCarillon(kind, { apnsUrl: apns.url, fcmUrl: fcm.url, batchSize: 500 }, { providerCa: TEST_CA });
    });
    after(async () => {
      await c.stop();
      await Promise.all([apns.close(), fcm.close(), sink.close()]);
    });

    test('a user with a Web Push, an APNs and an FCM subscription gets the notification on all three, each as documented', async () => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      const account = fcm.createServiceAccount();
      await setCredentials(app, team, account);
      const web = sink.subscribe();
      const iphone = apns.registerDevice(BUNDLE);
      const pixel = fcm.registerDevice(account.project_id!);
      await register(app, { channel: 'webpush', endpoint: web.endpoint, keys: web.keys, userId: 'ada' });
      const apnsSub = await register(app, { channel: 'apns', token: iphone.toUpperCase(), environment: 'production', userId: 'ada' });
      await register(app, { channel: 'fcm', token: pixel, userId: 'ada' });

      const view = await c.api('GET', `/v1/apps/${app.id}/subscriptions/${apnsSub}`, { key: app.secretKey });
      assert.equal(view.body.token, iphone, 'the token is stored as lower-case hex');
      assert.equal(view.body.environment, 'production');

      const id = await send(app, {
        to: { userIds: ['ada'] },
        title: 'Your order shipped',
        body: 'Arriving Thursday',
        url: 'https://shop.example/orders/1001',
        image: 'https://shop.example/parcel.png',
        sound: 'chime.caf',
        badgeCount: 3,
        threadId: 'orders',
        category: 'ORDER',
        interruptionLevel: 'time-sensitive',
        actions: [{ action: 'track', title: 'Track', url: 'https://shop.example/track/1001' }],
        data: { orderId: 1001, carrier: 'dhl' },
        ttl: 3600,
        urgency: 'normal',
        topic: 'order-1001',
        apns: { subtitle: 'Order 1001' },
        fcm: { channelId: 'orders' },
      });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual(deliveryCounts(status.counts), { targeted: 3, sent: 3, delivered: 3, failed: 0, expired: 0, pruned: 0, pending: 0 });

      const [w] = sink.receivedFor(web.id);
      assert.equal((w!.json as any).notification.title, 'Your order shipped');
      assert.deepEqual((w!.json as any).notification.data, { orderId: 1001, carrier: 'dhl', id });

      const [a] = apns.deliveriesTo(iphone);
      assert.deepEqual(a!.payload, {
        aps: {
          alert: { title: 'Your order shipped', subtitle: 'Order 1001', body: 'Arriving Thursday' },
          badge: 3,
          sound: 'chime.caf',
          'thread-id': 'orders',
          category: 'ORDER',
          'mutable-content': 1,
          'interruption-level': 'time-sensitive',
        },
        orderId: 1001,
        carrier: 'dhl',
        id,
        url: 'https://shop.example/orders/1001',
        image: 'https://shop.example/parcel.png',
        actions: [{ action: 'track', title: 'Track', url: 'https://shop.example/track/1001' }],
      });
      assert.equal(a!.headers['apns-topic'], BUNDLE);
      assert.equal(a!.headers['apns-push-type'], 'alert');
      assert.equal(a!.headers['apns-priority'], '10');
      assert.equal(a!.headers['apns-collapse-id'], 'order-1001');
      assert.match(a!.headers['apns-id']!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const expiresIn = Number(a!.headers['apns-expiration']) - Math.floor(Date.now() / 1000);
      assert.ok(expiresIn > 3500 && expiresIn <= 3600, `apns-expiration is the TTL from now (${expiresIn})`);
      assert.equal(a!.claims.iss, team.teamId);

      const [f] = fcm.deliveriesTo(pixel);
      assert.equal(f!.projectId, account.project_id);
      const ttl = f!.message.android.ttl as string;
      assert.match(ttl, /^\d+s$/);
      assert.ok(Number(ttl.slice(0, -1)) > 3500 && Number(ttl.slice(0, -1)) <= 3600);
      assert.deepEqual({ ...f!.message, android: { ...f!.message.android, ttl: 'checked' } }, {
        token: pixel,
        notification: { title: 'Your order shipped', body: 'Arriving Thursday', image: 'https://shop.example/parcel.png' },
        data: { orderId: '1001', carrier: 'dhl', id, url: 'https://shop.example/orders/1001', actions: JSON.stringify([{ action: 'track', title: 'Track', url: 'https://shop.example/track/1001' }]) },
        android: {
          ttl: 'checked',
          priority: 'HIGH',
          collapse_key: 'order-1001',
          notification: { sound: 'chime.caf', click_action: 'ORDER', notification_count: 3, notification_priority: 'PRIORITY_HIGH', channel_id: 'orders' },
        },
      });
    });

    test('a silent data-only push is an APNs background push and an FCM data message', async () => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      const account = fcm.createServiceAccount();
      await setCredentials(app, team, account);
      const iphone = apns.registerDevice(BUNDLE);
      const pixel = fcm.registerDevice(account.project_id!);
      await register(app, { channel: 'apns', token: iphone, userId: 'sync' });
      await register(app, { channel: 'fcm', token: pixel, userId: 'sync' });
      const id = await send(app, { to: { userIds: ['sync'] }, title: 'sync', contentAvailable: true, data: { since: '42' }, urgency: 'normal' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.delivered, 2);
      const [a] = apns.deliveriesTo(iphone);
      assert.deepEqual(a!.payload, { aps: { 'content-available': 1 }, since: '42', id });
      assert.equal(a!.headers['apns-push-type'], 'background');
      assert.equal(a!.headers['apns-priority'], '5');
      const [f] = fcm.deliveriesTo(pixel);
      assert.equal(f!.message.notification, undefined);
      assert.equal(f!.message.android.notification, undefined);
      assert.deepEqual(f!.message.data, { since: '42', id });
      assert.equal(f!.message.android.priority, 'NORMAL');
    });

    test('devices of an app without APNs or FCM credentials are recorded as failed with the reason, not retried', async () => {
      const app = await c.createApp();
      const iphone = apns.registerDevice(BUNDLE);
      const pixel = fcm.registerDevice('carillon-sim-none');
      const apnsSub = await register(app, { channel: 'apns', token: iphone, userId: 'nocreds' });
      const fcmSub = await register(app, { channel: 'fcm', token: pixel, userId: 'nocreds' });
      const id = await send(app, { to: { userIds: ['nocreds'] }, title: 'Nobody home' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual(deliveryCounts(status.counts), { targeted: 2, sent: 2, delivered: 0, failed: 2, expired: 0, pruned: 0, pending: 0 });
      const failures = await c.api('GET', `/v1/apps/${app.id}/notifications/${id}/failures`, { key: app.secretKey });
      assert.deepEqual(
        failures.body.data.map((f: any) => [f.subscriptionId, f.outcome, f.reason]).sort(),
        [
          [apnsSub, 'rejected', 'no apns credentials'],
          [fcmSub, 'rejected', 'no fcm credentials'],
        ].sort(),
      );
      const batches = await c.ctx.store.db.selectFrom('delivery_batches').select('attempt').where('notification_id', '=', id).execute();
      assert.deepEqual(batches.map((b) => b.attempt), [1], 'no retry batch');
    });

    /**
     * What a big send to app devices must show, whichever the provider: every device but
     * the unregistered ones got it once, those were pruned, the throttled and unavailable
     * ones were retried and delivered, over a handful of connections.
     */
    const checkBigSend = async (appId: string, status: { counts: Record<string, number> }, arrivals: { token: string; connection: number }[], opts: { gone: string[]; retried: string[]; opened: number }) => {
      const { gone, retried, opened } = opts;
      assert.deepEqual(deliveryCounts(status.counts), { targeted: DEVICES, sent: DEVICES, delivered: DEVICES - gone.length, failed: 0, expired: 0, pruned: gone.length, pending: 0 });
      const delivered = new Set(arrivals.map((d) => d.token));
      assert.equal(delivered.size, DEVICES - gone.length);
      assert.equal(arrivals.length, delivered.size, 'no device got it twice');
      for (const t of retried) assert.ok(delivered.has(t), 'retried and delivered');
      const left = await c.ctx.store.db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', appId).executeTakeFirstOrThrow();
      assert.equal(Number(left.n), DEVICES - gone.length, 'unregistered devices pruned');
      const connections = new Set(arrivals.map((d) => d.connection)).size;
      assert.ok(connections >= 2 && connections <= 4 && opened <= 4, `a handful of connections: ${connections} used, ${opened} opened`);
      return { connections, opened };
    };

    test(`${DEVICES.toLocaleString('en')} APNs devices over a handful of HTTP/2 connections, one GOAWAY; unregistered ones pruned, 429 and 503 retried`, async () => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      await setCredentials(app, team, null);
      const tokens = Array.from({ length: DEVICES }, () => apns.registerDevice(BUNDLE));
      await insertDevices(c, app.id, 'apns', tokens);
      const gone = tokens.filter((_, i) => i % 100 === 7); // 100
      const throttled = tokens.filter((_, i) => i % 200 === 11); // 50
      const unavailable = tokens.filter((_, i) => i % 200 === 13); // 50
      for (const t of gone) apns.unregister(t);
      for (const t of throttled) apns.respondWith(t, [{ status: 429, reason: 'TooManyRequests' }]);
      for (const t of unavailable) apns.respondWith(t, [{ status: 503, reason: 'ServiceUnavailable' }]);
      const connectionsBefore = apns.connections;
      // Mid-send the service rotates the connection: the sender moves to a new one, and
      // streams the old one did not take are sent there, once.
      apns.goawayAfter(3000);
      const started = performance.now();
      const id = await send(app, { to: { all: true }, title: 'Flash sale', body: 'Today only' });
      const status = await c.waitCompleted(app.id, app.secretKey, id, 180_000);
      const seconds = (performance.now() - started) / 1000;
      const arrivals = apns.deliveries.filter((d) => d.payload.id === id);
      const { connections, opened } = await checkBigSend(app.id, status, arrivals, { gone, retried: [...throttled, ...unavailable], opened: apns.connections - connectionsBefore });
      const tokensSeen = new Set(arrivals.map((d) => d.jwt));
      assert.equal(tokensSeen.size, 1, 'one provider token for the whole send');
      console.log(`# APNs ${DEVICES} devices (${kind}): ${seconds.toFixed(1)} s over ${connections} HTTP/2 connection(s), ${opened} opened for it`);
    });

    test(`${DEVICES.toLocaleString('en')} FCM devices over a handful of HTTP/2 connections, one GOAWAY; unregistered ones pruned, 429 and 503 retried`, async () => {
      const app = await c.createApp();
      const account = fcm.createServiceAccount();
      await setCredentials(app, null, account);
      const tokens = Array.from({ length: DEVICES }, () => fcm.registerDevice(account.project_id!));
      await insertDevices(c, app.id, 'fcm', tokens);
      const gone = tokens.filter((_, i) => i % 100 === 7);
      const throttled = tokens.filter((_, i) => i % 200 === 11);
      const unavailable = tokens.filter((_, i) => i % 200 === 13);
      for (const t of gone) fcm.unregister(t);
      for (const t of throttled) fcm.respondWith(t, [{ status: 429, errorCode: 'QUOTA_EXCEEDED', retryAfter: 1 }]);
      for (const t of unavailable) fcm.respondWith(t, [{ status: 503, errorCode: 'UNAVAILABLE' }]);
      const connectionsBefore = fcm.connections;
      // Mid-send the service rotates the connection: the sender moves to a new one, and
      // streams the old one did not take are sent there, once.
      fcm.goawayAfter(3000);
      const tokensBefore = fcm.tokensIssued;
      const started = performance.now();
      const id = await send(app, { to: { all: true }, title: 'Flash sale', body: 'Today only' });
      const status = await c.waitCompleted(app.id, app.secretKey, id, 180_000);
      const seconds = (performance.now() - started) / 1000;
      const arrivals = fcm.deliveries.filter((d) => d.message.data.id === id);
      const { connections, opened } = await checkBigSend(app.id, status, arrivals, { gone, retried: [...throttled, ...unavailable], opened: fcm.connections - connectionsBefore });
      assert.equal(fcm.tokensIssued - tokensBefore, 1, 'one access token for the whole send');
      console.log(`# FCM ${DEVICES} devices (${kind}): ${seconds.toFixed(1)} s over ${connections} HTTP/2 connection(s), ${opened} opened for it`);
    });
  });
}
