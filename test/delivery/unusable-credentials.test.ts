/**
 * Credentials that cannot work on any attempt (a secret sealed under another master key, a
 * stored key that does not parse, a provider refusing our token) fail their recipients at
 * once: no retries, the reason in the failures list, one error line per batch, a metric.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { vapidContext } from '../../src/providers/webpush/vapid-source.ts';
import { credentialsContext } from '../../src/providers/stored-credentials.ts';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { ApnsSimulator } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { TEST_CA } from '../simulators/h2-server.ts';

const BUNDLE = 'com.example.unusable';
type App = Awaited<ReturnType<TestCarillon['createApp']>>;

for (const kind of STORES) {
  describe(`credentials that cannot be used fail at once, visibly (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let apns: ApnsSimulator;
    let fcm: FcmSimulator;
    const logs: Record<string, unknown>[] = [];
    // Another installation's key: what a database sealed elsewhere holds.
    const elsewhere = new SecretBox(randomBytes(32));

    const api = (app: App, method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, body });
    const register = async (app: App, body: Record<string, unknown>) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, body) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    /** Sends to the user's subscriptions; what a user of the API sees once it completes. */
    const sendAndWait = async (app: App, userId: string) => {
      const res = await api(app, 'POST', '/notifications', { to: { userIds: [userId] }, title: 'x' });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      const id = res.body.id as string;
      // Retries are a minute apart here: a notification that completes at all failed at once.
      const status = await c.waitCompleted(app.id, app.secretKey, id, 15_000);
      const failures = (await api(app, 'GET', `/notifications/${id}/failures`)).body.data.map((f: any) => [f.subscriptionId, f.outcome, f.statusCode, f.reason]);
      const batches = await c.ctx.store.db.selectFrom('delivery_batches').select('attempt').where('notification_id', '=', id).execute();
      return { id, status, failures, attempts: batches.map((b) => b.attempt) };
    };
    const errorLines = (notification: string) => logs.filter((l) => l.level === 50 && l.notification === notification);
    const faultMetric = async (provider: string) => {
      const text = await c.metrics.registry.metrics();
      const m = text.match(new RegExp(`^carillon_push_fault_failures_total\\{fault="credentials",provider="${provider}"\\} (\\d+)$`, 'm'));
      return m ? Number(m[1]) : 0;
    };

    before(async () => {
      sink = await startPushSink();
      apns = await ApnsSimulator.start();
      fcm = await FcmSimulator.start();
      const stream = new Writable({
        write(chunk, _enc, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
          done();
        },
      });
      c = await startCarillon(kind, { apnsUrl: apns.url, fcmUrl: fcm.url, retryBase: 60_000, retryMax: 60_000 }, { providerCa: TEST_CA, logger: pino({ level: 'info' }, stream) });
    });
    after(async () => {
      await c.stop();
      await Promise.all([sink.close(), apns.close(), fcm.close()]);
    });

    test('Web Push: a VAPID key sealed under another master key fails every recipient at once, with the reason', async () => {
      const app = await c.createApp();
      const subs = [];
      for (let i = 0; i < 3; i++) {
        const s = sink.subscribe();
        subs.push(await register(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: 'w' }));
      }
      const privateKey = randomBytes(32).toString('base64url');
      await c.ctx.store.db.updateTable('apps').set({ vapid_private_key: elsewhere.seal(privateKey, vapidContext(app.id)) }).where('id', '=', app.id).execute();

      const { id, status, failures, attempts } = await sendAndWait(app, 'w');
      assert.equal(status.counts.failed, 3);
      assert.equal(status.counts.delivered, 0);
      assert.deepEqual(attempts, [1], 'no retry batch');
      assert.equal(sink.received.length, 0);
      const reason = `VAPID key: secret sealed under unknown master key ${elsewhere.keyId}`;
      assert.deepEqual(failures.sort(), subs.map((s) => [s, 'rejected', null, reason]).sort());
      const lines = errorLines(id);
      assert.equal(lines.length, 1, 'one error line for the batch');
      assert.equal(lines[0]!.recipients, 3);
      assert.equal(lines[0]!.channel, 'webpush');
      assert.equal(lines[0]!.reason, reason);
      assert.ok(!JSON.stringify(logs).includes(privateKey), 'no secret in the logs');
      assert.equal(await faultMetric('webpush'), 3);
    });

    test('APNs: a key sealed under another master key fails at once', async () => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      assert.equal((await api(app, 'PUT', '/credentials/apns', { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE })).status, 200);
      const sub = await register(app, { channel: 'apns', token: apns.registerDevice(BUNDLE), userId: 'a' });
      await c.ctx.store.db
        .updateTable('app_credentials')
        .set({ sealed: elsewhere.seal(team.key, credentialsContext(app.id, 'apns')), updated_at: Date.now() + 1 })
        .where('app_id', '=', app.id)
        .execute();
      const before = await faultMetric('apns');
      const { id, status, failures, attempts } = await sendAndWait(app, 'a');
      assert.equal(status.counts.failed, 1);
      assert.deepEqual(attempts, [1]);
      assert.deepEqual(failures, [[sub, 'rejected', null, `apns credentials: secret sealed under unknown master key ${elsewhere.keyId}`]]);
      assert.equal(errorLines(id).length, 1);
      assert.equal((await faultMetric('apns')) - before, 1);
      assert.equal(apns.answers.length, 0, 'nothing was sent');
    });

    test('FCM: a stored service account key that does not parse fails at once', async () => {
      const app = await c.createApp();
      const account = fcm.createServiceAccount();
      assert.equal((await api(app, 'PUT', '/credentials/fcm', { serviceAccount: account })).status, 200);
      const sub = await register(app, { channel: 'fcm', token: fcm.registerDevice(account.project_id!), userId: 'f' });
      await c.ctx.store.db
        .updateTable('app_credentials')
        .set({ sealed: c.ctx.secrets.seal('-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n', credentialsContext(app.id, 'fcm')), updated_at: Date.now() + 1 })
        .where('app_id', '=', app.id)
        .execute();
      const before = await faultMetric('fcm');
      const { id, status, failures, attempts } = await sendAndWait(app, 'f');
      assert.equal(status.counts.failed, 1);
      assert.deepEqual(attempts, [1]);
      assert.deepEqual(failures, [[sub, 'rejected', null, 'fcm credentials: stored key unreadable: serviceAccount.private_key is not a PEM private key']]);
      assert.equal(errorLines(id).length, 1);
      assert.equal((await faultMetric('fcm')) - before, 1);
    });

    test('refusals of our credentials by APNs (InvalidProviderToken) and the FCM token endpoint are logged and counted too', async () => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      assert.equal((await api(app, 'PUT', '/credentials/apns', { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE })).status, 200);
      await register(app, { channel: 'apns', token: apns.registerDevice(BUNDLE), userId: 'r' });
      const account = fcm.createServiceAccount();
      assert.equal((await api(app, 'PUT', '/credentials/fcm', { serviceAccount: account })).status, 200);
      await register(app, { channel: 'fcm', token: fcm.registerDevice(account.project_id!), userId: 'r' });
      apns.revokeKey(team.keyId);
      fcm.deleteKey(account.private_key_id!);
      const [apnsBefore, fcmBefore] = [await faultMetric('apns'), await faultMetric('fcm')];
      const { id, status, attempts } = await sendAndWait(app, 'r');
      assert.equal(status.counts.failed, 2);
      assert.deepEqual(attempts, [1]);
      assert.deepEqual(errorLines(id).map((l) => [l.channel, l.status]).sort(), [['apns', 403], ['fcm', 400]]);
      assert.equal((await faultMetric('apns')) - apnsBefore, 1);
      assert.equal((await faultMetric('fcm')) - fcmBefore, 1);
    });
  });
}
