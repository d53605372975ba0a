/**
 * One conformance suite for every provider (Web Push, APNs, FCM), run end to end through
 * Carillon against each one's peer (the loopback push service, the APNs simulator, the
 * FCM simulator), on every deployment: what a user sees must not depend on the channel.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink } from '../support/push-sink.ts';
import { ApnsSimulator } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { TEST_CA } from '../simulators/h2-server.ts';

type App = Awaited<ReturnType<TestCarillon['createApp']>>;

interface Device {
  /** Subscription fields for POST /subscriptions. */
  body: Record<string, unknown>;
  /** The peer's handle for the device. */
  handle: string;
}

/** What the suite needs of a provider's peer. */
interface Peer {
  channel: string;
  /** Config overrides pointing Carillon at the peer. */
  config: Record<string, unknown>;
  /** Sets the app's credentials, where the channel has any. */
  setUp(c: TestCarillon, app: App): Promise<void>;
  device(): Device;
  /** A device whose messages the service refuses for good, with the status and reason Carillon records. */
  rejectingDevice(): Device & { status: number; reason: string };
  /** Messages of notification `id` the device received. */
  received(handle: string, id: string): { at: number }[];
  /** Whether the peer answered the device with `status`. */
  answered(handle: string, status: number): boolean;
  gone(handle: string): void;
  /** One 429 with Retry-After: seconds. */
  throttle(handle: string, seconds: number): void;
  /** One 503. */
  unavailable(handle: string): void;
  /** The device's next request: the connection is cut before an answer. */
  drop(handle: string): void;
  close(): Promise<void>;
}

const BUNDLE = 'com.example.conformance';

async function webPushPeer(): Promise<Peer> {
  const sink = await startPushSink();
  return {
    channel: 'webpush',
    config: {},
    async setUp() {},
    device() {
      const s = sink.subscribe();
      return { body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys }, handle: s.id };
    },
    rejectingDevice() {
      const s = sink.subscribe();
      sink.respondWith(s.id, [{ status: 400, body: 'bad header' }]);
      return { body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys }, handle: s.id, status: 400, reason: 'HTTP 400: bad header' };
    },
    received: (handle, id) => sink.receivedFor(handle).filter((r) => (r.json as any)?.notification?.data?.id === id).map((r) => ({ at: r.receivedAt })),
    answered: (handle, status) => sink.responses.some((r) => r.subscriptionId === handle && r.status === status),
    gone: (handle) => sink.gone(handle),
    throttle: (handle, seconds) => sink.respondWith(handle, [{ status: 429, retryAfter: seconds }]),
    unavailable: (handle) => sink.respondWith(handle, [{ status: 503 }]),
    drop: (handle) => sink.dropNext(handle),
    close: () => sink.close(),
  };
}

async function apnsPeer(): Promise<Peer> {
  const sim = await ApnsSimulator.start();
  const team = sim.createTeam([BUNDLE]);
  return {
    channel: 'apns',
    config: { apnsUrl: sim.url },
    async setUp(c, app) {
      const res = await c.api('PUT', `/v1/apps/${app.id}/credentials/apns`, { key: app.secretKey, body: { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    },
    device() {
      const token = sim.registerDevice(BUNDLE);
      return { body: { channel: 'apns', token, environment: 'sandbox' }, handle: token };
    },
    rejectingDevice() {
      // An app of another team: Apple refuses the topic for this team's key.
      const token = sim.registerDevice('com.other.app');
      return { body: { channel: 'apns', token, topic: 'com.other.app' }, handle: token, status: 400, reason: 'TopicDisallowed' };
    },
    received: (handle, id) => sim.deliveriesTo(handle).filter((d) => d.payload.id === id).map((d) => ({ at: d.receivedAt })),
    answered: (handle, status) => sim.answers.some((a) => a.token === handle && a.status === status),
    gone: (handle) => sim.unregister(handle),
    throttle: (handle, seconds) => sim.respondWith(handle, [{ status: 429, reason: 'TooManyRequests', retryAfter: seconds }]),
    unavailable: (handle) => sim.respondWith(handle, [{ status: 503, reason: 'ServiceUnavailable' }]),
    drop: (handle) => sim.respondWith(handle, ['drop']),
    close: () => sim.close(),
  };
}

async function fcmPeer(): Promise<Peer> {
  const sim = await FcmSimulator.start();
  const account = sim.createServiceAccount();
  const project = account.project_id!;
  return {
    channel: 'fcm',
    config: { fcmUrl: sim.url },
    async setUp(c, app) {
      const res = await c.api('PUT', `/v1/apps/${app.id}/credentials/fcm`, { key: app.secretKey, body: { serviceAccount: account } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    },
    device() {
      const token = sim.registerDevice(project);
      return { body: { channel: 'fcm', token }, handle: token };
    },
    rejectingDevice() {
      // A token of another Firebase project.
      const token = sim.registerDevice(`${project}-other`);
      return { body: { channel: 'fcm', token }, handle: token, status: 403, reason: 'SENDER_ID_MISMATCH: SenderId mismatch' };
    },
    received: (handle, id) => sim.deliveriesTo(handle).filter((d) => d.message.data?.id === id).map((d) => ({ at: d.receivedAt })),
    answered: (handle, status) => sim.answers.some((a) => a.token === handle && a.status === status),
    gone: (handle) => sim.unregister(handle),
    throttle: (handle, seconds) => sim.respondWith(handle, [{ status: 429, errorCode: 'QUOTA_EXCEEDED', retryAfter: seconds }]),
    unavailable: (handle) => sim.respondWith(handle, [{ status: 503, errorCode: 'UNAVAILABLE' }]),
    drop: (handle) => sim.respondWith(handle, ['drop']),
    close: () => sim.close(),
  };
}

const PEERS: [string, () => Promise<Peer>][] = [
  ['webpush', webPushPeer],
  ['apns', apnsPeer],
  ['fcm', fcmPeer],
];

for (const kind of DEPLOYMENTS) {
  for (const [name, startPeer] of PEERS) {
    describe(`provider conformance: ${name} (${kind})`, () => {
      let c: TestCarillon;
      let peer: Peer;
      let app: App;
      let users = 0;

      /** Registers devices under a fresh user id and returns it with their subscription ids. */
      const register = async (devices: Device[]) => {
        const userId = `user-${++users}`;
        const ids: string[] = [];
        for (const d of devices) {
          const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { ...d.body, userId }) });
          assert.equal(res.status, 201, JSON.stringify(res.body));
          ids.push(res.body.id);
        }
        return { userId, ids };
      };
      const send = async (userId: string, title: string) => {
        const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: [userId] }, title } });
        assert.equal(res.status, 202, JSON.stringify(res.body));
        return res.body.id as string;
      };
      const failures = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/notifications/${id}/failures`, { key: app.secretKey })).body.data;

      before(async () => {
        peer = await startPeer();
        c = await startCarillon(kind, { batchSize: 100, ...peer.config }, { providerCa: TEST_CA });
        app = await c.createApp();
        await peer.setUp(c, app);
      });
      after(async () => {
        await c.stop();
        await peer.close();
      });

      test('delivered: each device gets the message once', async () => {
        const devices = [peer.device(), peer.device(), peer.device()];
        const { userId } = await register(devices);
        const id = await send(userId, 'Hello');
        const status = await c.waitCompleted(app.id, app.secretKey, id);
        assert.equal(status.counts.delivered, 3);
        assert.equal(status.counts.failed + status.counts.pruned, 0);
        for (const d of devices) assert.equal(peer.received(d.handle, id).length, 1);
      });

      test('gone: the subscription is pruned and listed with the service’s answer', async () => {
        const live = peer.device();
        const dead = peer.device();
        const { userId, ids } = await register([live, dead]);
        peer.gone(dead.handle);
        const id = await send(userId, 'Anyone there?');
        const status = await c.waitCompleted(app.id, app.secretKey, id);
        assert.equal(status.counts.delivered, 1);
        assert.equal(status.counts.pruned, 1);
        assert.equal((await c.api('GET', `/v1/apps/${app.id}/subscriptions/${ids[1]}`, { key: app.secretKey })).status, 404);
        assert.deepEqual((await failures(id)).map((f: any) => [f.subscriptionId, f.outcome]), [[ids[1], 'gone']]);
      });

      test('throttled and unavailable: backs off (Retry-After honoured) and retries until delivered', async () => {
        const throttled = peer.device();
        const flaky = peer.device();
        const { userId } = await register([throttled, flaky]);
        peer.throttle(throttled.handle, 1);
        peer.unavailable(flaky.handle);
        const started = Date.now();
        const id = await send(userId, 'Eventually');
        const status = await c.waitCompleted(app.id, app.secretKey, id);
        assert.equal(status.counts.delivered, 2);
        assert.equal(status.counts.failed, 0);
        const [arrival] = peer.received(throttled.handle, id);
        assert.ok(arrival && arrival.at - started >= 1000, 'Retry-After: 1 was honoured');
        assert.equal(peer.received(flaky.handle, id).length, 1);
        assert.ok(peer.answered(throttled.handle, 429), 'the 429 was answered first');
        assert.ok(peer.answered(flaky.handle, 503), 'the 503 was answered first');
      });

      test('rejected: recorded as failed with the service’s reason, sent once, subscription kept', async () => {
        const d = peer.rejectingDevice();
        const { userId, ids } = await register([d]);
        const id = await send(userId, 'Nope');
        const status = await c.waitCompleted(app.id, app.secretKey, id);
        assert.equal(status.counts.failed, 1);
        assert.equal(status.counts.delivered, 0);
        assert.deepEqual(
          (await failures(id)).map((f: any) => [f.subscriptionId, f.outcome, f.statusCode, f.reason]),
          [[ids[0], 'rejected', d.status, d.reason]],
        );
        const batches = await c.ctx.store.db.selectFrom('delivery_batches').select('attempt').where('notification_id', '=', id).execute();
        assert.deepEqual(batches.map((b) => b.attempt), [1], 'not retried');
        assert.equal((await c.api('GET', `/v1/apps/${app.id}/subscriptions/${ids[0]}`, { key: app.secretKey })).status, 200);
      });

      test('nothing is lost when the peer drops the connection mid-stream', async () => {
        const devices = Array.from({ length: 20 }, () => peer.device());
        const { userId } = await register(devices);
        peer.drop(devices[7]!.handle);
        const id = await send(userId, 'Still there');
        const status = await c.waitCompleted(app.id, app.secretKey, id);
        assert.equal(status.counts.delivered, 20);
        assert.equal(status.counts.failed + status.counts.pruned, 0);
        // At least once: messages in flight on the cut connection may have been taken
        // before it broke, and are sent again; the app drops the copy by id.
        for (const d of devices) assert.ok(peer.received(d.handle, id).length >= 1, 'each device got it');
      });
    });
  }
}
