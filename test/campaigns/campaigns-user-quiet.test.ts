/**
 * A user's own quiet hours: set through the API (with the publishable key, for the site's
 * own verified user, as the SDK's preference page does), checked member by member, and
 * planned: they replace the app's window for that user, a message due inside them is held
 * to their end on the user's clock (not dropped), and the send record's timing says whose
 * window held it. On SQLite and PostgreSQL with the clock injected.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from './campaign-fixture.ts';

for (const kind of STORES) {
  describe(`a user's own quiet hours (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = Date.parse('2026-12-20T12:00:00Z');
    const userOf = new Map<string, string>();
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const quiet = (user: string) => `/v1/apps/${app.id}/users/${user}/quiet-hours`;
    const setOwn = (user: string, quietHours: unknown) => c.api('PUT', quiet(user), { key: app.publishableKey, body: { quietHours, userIdHash: userIdHash(app, user) } });
    const reached = () => [...new Set(sink.received.map((r) => userOf.get(r.subscriptionId)!))].sort();
    const launchNow = async (name: string) => {
      const created = await call('POST', '/campaigns', { name, audience: { filter: { attribute: 'group', op: 'eq', value: 'a' } }, content: { en: { title: 'Hello' } }, category: 'promotions' });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const launched = await call('POST', `/campaigns/${created.body.id}/launch`);
      assert.equal(launched.status, 200, JSON.stringify(launched.body));
      return created.body.id as string;
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 3 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (let i = 0; i < 8; i++) userOf.set(await userWithDevice(c, sink, app, `u${i}`, { timezone: 'Europe/Paris', attributes: { group: 'a' } }), `u${i}`);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('set with the publishable key for the verified user, read back, null removes; bad windows refused with a pointer, nothing stored', async () => {
      const none = await c.api('GET', `${quiet('u6')}?userIdHash=${userIdHash(app, 'u6')}`, { key: app.publishableKey });
      assert.equal(none.status, 200, JSON.stringify(none.body));
      assert.deepEqual(none.body, { quietHours: null });
      const set = await setOwn('u6', { start: '22:30', end: '07:00' });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body, { quietHours: { start: '22:30', end: '07:00' } });
      const unverified = await c.api('PUT', quiet('u6'), { key: app.publishableKey, body: { quietHours: null } });
      assert.equal(unverified.body.code, 'identity_not_verified');
      const forged = await c.api('PUT', quiet('u5'), { key: app.publishableKey, body: { quietHours: { start: '01:00', end: '02:00' }, userIdHash: userIdHash(app, 'u6') } });
      assert.equal(forged.body.code, 'identity_not_verified', "u6's hash does not make them u5");

      const equal = await setOwn('u6', { start: '09:00', end: '09:00' });
      assert.equal(equal.status, 400);
      assert.match(String(equal.headers['content-type']), /application\/problem\+json/);
      assert.equal(equal.body.code, 'invalid_quiet_hours');
      assert.equal(equal.body.pointer, '#/quietHours/end');
      for (const bad of [{ start: '9:00', end: '07:00' }, { start: '22:00' }, { start: '22:00', end: '07:00', tz: 'x' }, '22:00-07:00']) {
        const res = await setOwn('u6', bad);
        assert.equal(res.status, 400, JSON.stringify(bad));
        assert.ok(res.body.code, JSON.stringify(res.body));
      }
      const kept = await call('GET', `/users/u6/quiet-hours`);
      assert.deepEqual(kept.body, { quietHours: { start: '22:30', end: '07:00' } }, 'the refused requests changed nothing (the secret key reads any user)');

      assert.equal((await setOwn('u5', { start: '01:00', end: '02:00' })).status, 200);
      const removed = await setOwn('u5', null);
      assert.deepEqual(removed.body, { quietHours: null });
      const row = await c.ctx.store.db.selectFrom('users').select('quiet_hours').where('app_id', '=', app.id).where('external_id', '=', 'u5').executeTakeFirstOrThrow();
      assert.equal(row.quiet_hours, null);
      const created = await setOwn('newcomer', { start: '23:00', end: '06:00' });
      assert.equal(created.status, 200, 'an unknown user is created, as preferences do');
      const noApp = await c.api('GET', `/v1/apps/app_nope/users/u1/quiet-hours`, { key: app.secretKey });
      assert.ok(noApp.status >= 400);
    });

    test("a user's own window replaces the app's: held to its end on their clock, or sent where the app's would hold", async () => {
      assert.equal((await call('PATCH', '/campaign-settings', { quietHours: { start: '21:00', end: '08:00' } })).status, 200);
      // u6: 22:30-07:00 (set above); u7: 12:00-14:00.
      assert.equal((await setOwn('u7', { start: '12:00', end: '14:00' })).status, 200);

      // 22:00 in Paris: inside the app's window, outside u6's and u7's.
      clock = Date.parse('2026-12-20T21:00:00Z');
      const night = await launchNow('night');
      await drained(c);
      assert.deepEqual(reached(), ['u6', 'u7'], 'their own windows let it through at 22:00');
      clock = Date.parse('2026-12-21T07:00:00Z'); // 08:00 in Paris
      await drained(c);
      assert.deepEqual(reached(), ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'], "the rest at the end of the app's window");
      const counts = (await call('GET', `/campaigns/${night}`)).body.counts;
      assert.equal(counts.recipients.sent, 8, 'each once: the zone split over two waves sends nobody twice');
      assert.equal(counts.heldByQuietHours, 6);

      // 12:30 in Paris: inside u7's own window only.
      sink.received.length = 0;
      clock = Date.parse('2026-12-21T11:30:00Z');
      const noon = await launchNow('noon');
      await drained(c);
      assert.deepEqual(reached(), ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
      // u7 is held by their own window: visible, with whose window and until when.
      const holding = (await call('GET', `/campaigns/${noon}`)).body.counts.recipients;
      assert.deepEqual([holding.sent, holding.quiet_held], [7, 1]);
      const held = (await call('GET', `/campaigns/${noon}/recipients?reason=quiet_held`)).body.data;
      assert.deepEqual(held.map((r: any) => [r.userId, r.reason, r.detail]), [['u7', 'quiet_held', 'held by quiet hours (12:00-14:00, the user’s own) until 2026-12-21T13:00:00.000Z']]);
      clock = Date.parse('2026-12-21T13:00:00Z'); // 14:00 in Paris
      await drained(c);
      assert.deepEqual(reached(), ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'], 'held, not dropped');
      const list = await call('GET', `/campaigns/${noon}/recipients?reason=sent`);
      const u7 = list.body.data.find((r: any) => r.userId === 'u7');
      assert.deepEqual(u7.timing.quiet, { window: '12:00-14:00', source: 'user', until: '2026-12-21T13:00:00.000Z' });
      assert.equal(u7.timing.dueAt, '2026-12-21T11:30:00.000Z');
      assert.equal(u7.timing.sendAt, '2026-12-21T13:00:00.000Z');
      assert.equal(list.body.data.find((r: any) => r.userId === 'u0').timing.quiet, undefined);
      const after = (await call('GET', `/campaigns/${noon}`)).body.counts.recipients;
      assert.deepEqual([after.sent, after.quiet_held], [8, 0]);
    });
  });
}
