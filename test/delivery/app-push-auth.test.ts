/**
 * APNs and FCM end to end, the parts that are theirs alone: provider tokens and access
 * tokens refused and renewed, tokens the services call invalid, what the API refuses
 * before anything is sent, and critical alerts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNotification } from '../../src/notifications/notifications.ts';
import { DEPLOYMENTS, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { ApnsSimulator, type ApnsTeam } from '../simulators/apns-simulator.ts';
import { FcmSimulator } from '../simulators/fcm-simulator.ts';
import { TEST_CA } from '../simulators/h2-server.ts';

const BUNDLE = 'com.example.auth';
type App = Awaited<ReturnType<TestCarillon['createApp']>>;

for (const kind of DEPLOYMENTS) {
  describe(`APNs and FCM tokens, refusals and checks (${kind})`, () => {
    let c: TestCarillon;
    let apns: ApnsSimulator;
    let fcm: FcmSimulator;

    const api = (app: App, method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, body });
    const register = async (app: App, body: Record<string, unknown>) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, body) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const send = async (app: App, body: Record<string, unknown>) => {
      const res = await api(app, 'POST', '/notifications', body);
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const apnsApp = async (): Promise<{ app: App; team: ApnsTeam }> => {
      const app = await c.createApp();
      const team = apns.createTeam([BUNDLE]);
      const res = await api(app, 'PUT', '/credentials/apns', { keyId: team.keyId, teamId: team.teamId, key: team.key, topic: BUNDLE });
      assert.equal(res.status, 200);
      return { app, team };
    };
    const fcmApp = async () => {
      const app = await c.createApp();
      const account = fcm.createServiceAccount();
      const res = await api(app, 'PUT', '/credentials/fcm', { serviceAccount: account });
      assert.equal(res.status, 200);
      return { app, account, project: account.project_id! };
    };
    const failures = async (app: App, id: string) => (await api(app, 'GET', `/notifications/${id}/failures`)).body.data.map((f: any) => [f.subscriptionId, f.outcome, f.statusCode, f.reason]);

    before(async () => {
      apns = await ApnsSimulator.start();
      fcm = await FcmSimulator.start();
      c = await startCarillon(kind, { apnsUrl: apns.url, fcmUrl: fcm.url }, { providerCa: TEST_CA });
    });
    after(async () => {
      await c.stop();
      await Promise.all([apns.close(), fcm.close()]);
    });

    test('APNs: an expired provider token is replaced once and the message delivered', async () => {
      const { app } = await apnsApp();
      const token = apns.registerDevice(BUNDLE);
      await register(app, { channel: 'apns', token, userId: 'u' });
      const first = await send(app, { to: { userIds: ['u'] }, title: 'one' });
      await c.waitCompleted(app.id, app.secretKey, first);
      apns.expireProviderTokens();
      const second = await send(app, { to: { userIds: ['u'] }, title: 'two' });
      const status = await c.waitCompleted(app.id, app.secretKey, second);
      assert.equal(status.counts.delivered, 1);
      const jwts = apns.deliveriesTo(token).map((d) => d.jwt);
      assert.equal(new Set(jwts).size, 2, 'a new token after ExpiredProviderToken');
      assert.ok(apns.answers.some((a) => a.token === token && a.reason === 'ExpiredProviderToken'));
      assert.ok(!apns.answers.some((a) => a.reason === 'TooManyProviderTokenUpdates'));
    });

    test('APNs: a revoked key gets one new token, then the messages are rejected with the reason', async () => {
      const { app, team } = await apnsApp();
      const tokens = [apns.registerDevice(BUNDLE), apns.registerDevice(BUNDLE)];
      const subs = [await register(app, { channel: 'apns', token: tokens[0], userId: 'r' }), await register(app, { channel: 'apns', token: tokens[1], userId: 'r' })];
      apns.revokeKey(team.keyId);
      const id = await send(app, { to: { userIds: ['r'] }, title: 'nope' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.failed, 2);
      assert.deepEqual((await failures(app, id)).sort(), subs.map((s) => [s, 'rejected', 403, 'InvalidProviderToken']).sort());
      const answers = () => apns.answers.filter((a) => tokens.includes(a.token!));
      assert.equal(answers().length, 4, 'each message sent twice: with the first token, then with one new token');
      // A second notification does not sign yet another token: the replacement is < 20 min old.
      const again = await send(app, { to: { userIds: ['r'] }, title: 'still no' });
      await c.waitCompleted(app.id, app.secretKey, again);
      assert.equal(answers().length, 6, 'sent once each');
    });

    test('APNs: BadDeviceToken and DeviceTokenNotForTopic prune the subscription', async () => {
      const { app } = await apnsApp();
      const unknown = 'ab'.repeat(32); // well formed, never issued
      const otherApp = apns.registerDevice('com.example.other');
      const ids = [await register(app, { channel: 'apns', token: unknown, userId: 'bad' }), await register(app, { channel: 'apns', token: otherApp, userId: 'bad' })];
      const id = await send(app, { to: { userIds: ['bad'] }, title: 'x' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.pruned, 2);
      assert.deepEqual((await failures(app, id)).sort(), [
        [ids[0], 'gone', 400, 'BadDeviceToken'],
        [ids[1], 'gone', 400, 'DeviceTokenNotForTopic'],
      ].sort());
    });

    test('FCM: an access token refused early is exchanged again and the message delivered', async () => {
      const { app, project } = await fcmApp();
      const token = fcm.registerDevice(project);
      await register(app, { channel: 'fcm', token, userId: 'u' });
      const first = await send(app, { to: { userIds: ['u'] }, title: 'one' });
      await c.waitCompleted(app.id, app.secretKey, first);
      const issued = fcm.tokensIssued;
      fcm.expireAccessTokens();
      const second = await send(app, { to: { userIds: ['u'] }, title: 'two' });
      const status = await c.waitCompleted(app.id, app.secretKey, second);
      assert.equal(status.counts.delivered, 1);
      assert.equal(fcm.tokensIssued - issued, 1, 'one new access token');
      const [a, b] = fcm.deliveriesTo(token);
      assert.notEqual(a!.accessToken, b!.accessToken);
    });

    test('FCM: a deleted service account key fails the messages with the token endpoint’s reason', async () => {
      const { app, account, project } = await fcmApp();
      const token = fcm.registerDevice(project);
      const sub = await register(app, { channel: 'fcm', token, userId: 'k' });
      fcm.deleteKey(account.private_key_id!);
      const id = await send(app, { to: { userIds: ['k'] }, title: 'x' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.failed, 1);
      assert.deepEqual(await failures(app, id), [[sub, 'rejected', 400, 'OAuth token refused: token endpoint answered 400 invalid_grant: Invalid JWT Signature.']]);
    });

    test('FCM: a token FCM calls invalid (INVALID_ARGUMENT) or unknown (UNREGISTERED) is pruned', async () => {
      const { app } = await fcmApp();
      const malformed = `${'x'.repeat(40)}`;
      const unknown = `${'a'.repeat(22)}:APA91b${'b'.repeat(140)}`;
      const ids = [await register(app, { channel: 'fcm', token: malformed, userId: 'bad' }), await register(app, { channel: 'fcm', token: unknown, userId: 'bad' })];
      const id = await send(app, { to: { userIds: ['bad'] }, title: 'x' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.pruned, 2);
      assert.deepEqual((await failures(app, id)).sort(), [
        [ids[0], 'gone', 400, 'INVALID_ARGUMENT: The registration token is not a valid FCM registration token'],
        [ids[1], 'gone', 404, 'UNREGISTERED: Requested entity was not found.'],
      ].sort());
    });

    test('the API refuses what a channel would refuse for every recipient', async () => {
      const app = await c.createApp();
      const big = await api(app, 'POST', '/notifications', { to: { all: true }, title: 't', apns: { aps: { 'x-pad': 'p'.repeat(4100) } } });
      assert.equal(big.status, 413);
      assert.equal(big.body.code, 'payload_too_large');
      assert.equal(big.body.channel, 'apns');
      const fcmBig = await api(app, 'POST', '/notifications', { to: { all: true }, title: 't', fcm: { data: { pad: 'p'.repeat(4100) } } });
      assert.equal(fcmBig.body.channel, 'fcm');
      const reserved = await api(app, 'POST', '/notifications', { to: { all: true }, title: 't', data: { from: 'me' } });
      assert.equal(reserved.status, 400);
      assert.equal(reserved.body.errors[0].field, 'body.data.from');
      const aps = await api(app, 'POST', '/notifications', { to: { all: true }, title: 't', data: { aps: {} } });
      assert.equal(aps.body.errors[0].field, 'body.data.aps');
      const collapse = await api(app, 'POST', '/notifications', { to: { all: true }, title: 't', apns: { collapseId: 'c'.repeat(65) } });
      assert.equal(collapse.status, 400);
    });

    test('subscriptions: malformed device tokens are refused with invalid_device_token', async () => {
      const app = await c.createApp();
      const post = (body: Record<string, unknown>) => c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body });
      const shortHex = await post({ channel: 'apns', token: 'abcd' });
      assert.equal(shortHex.status, 400);
      assert.equal(shortHex.body.code, 'invalid_device_token');
      assert.equal(shortHex.body.reason, 'length');
      assert.equal((await post({ channel: 'apns', token: 'zz'.repeat(32) })).body.reason, 'format');
      assert.equal((await post({ channel: 'fcm', token: 'has a space in it and is long enough to pass' })).body.code, 'invalid_device_token');
      assert.equal((await post({ channel: 'apns', token: 'ab'.repeat(32), environment: 'staging' })).body.code, 'invalid_request');
      assert.equal((await post({ channel: 'apns', token: 'ab'.repeat(32), topic: 'not a bundle id' })).body.code, 'invalid_request');
      assert.equal((await post({ channel: 'fcm' })).body.code, 'invalid_request');
    });

    test('critical alerts: refused by the notifications API, sent for a civic alert', async () => {
      const refused = await apnsApp();
      const res = await api(refused.app, 'POST', '/notifications', { to: { all: true }, title: 'Flood', interruptionLevel: 'critical' });
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'critical_alert_not_allowed');

      const { app } = await apnsApp();
      const account = fcm.createServiceAccount();
      assert.equal((await api(app, 'PUT', '/credentials/fcm', { serviceAccount: account })).status, 200);
      const iphone = apns.registerDevice(BUNDLE);
      const pixel = fcm.registerDevice(account.project_id!);
      await register(app, { channel: 'apns', token: iphone, userId: 'civ' });
      await register(app, { channel: 'fcm', token: pixel, userId: 'civ' });
      const { id } = await createNotification(c.ctx, app.id, { to: { userIds: ['civ'] }, title: 'Flood warning', body: 'Move to higher ground', interruptionLevel: 'critical', urgency: 'high' }, undefined, { civicAlert: true });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.delivered, 2);
      const [a] = apns.deliveriesTo(iphone);
      assert.deepEqual(a!.payload.aps, { alert: { title: 'Flood warning', body: 'Move to higher ground' }, sound: { critical: 1, name: 'default', volume: 1 }, 'interruption-level': 'critical' });
      assert.equal(a!.headers['apns-priority'], '10');
      const [f] = fcm.deliveriesTo(pixel);
      assert.equal(f!.message.android.priority, 'HIGH');
      assert.deepEqual(f!.message.android.notification, { sound: 'default', notification_priority: 'PRIORITY_MAX', visibility: 'PUBLIC' });
    });
  });
}
