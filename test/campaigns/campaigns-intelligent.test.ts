/**
 * The intelligent schedule end to end, from a planted history of clicks and displays on an
 * injected clock, on SQLite and PostgreSQL: each user at their own best hour of the last
 * 90 days on their own clock, else the app's most engaged hour, else the fallback; quiet
 * hours after; each user in exactly one wave, and their send record saying which hour was
 * chosen and from whose engagement.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from './campaign-fixture.ts';

const LAUNCH = Date.parse('2026-12-01T10:00:00Z'); // 11:00 in Paris, 19:00 in Tokyo
const DAY = 86_400_000;

for (const kind of STORES) {
  describe(`intelligent schedule (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let quiet: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = LAUNCH - DAY;
    const userOf = new Map<string, string>();
    const call = (a: { id: string; secretKey: string }, method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${a.id}${path}`, { key: a.secretKey, ...(body !== undefined ? { body } : {}) });
    const reached = () => [...new Set(sink.received.map((r) => userOf.get(r.subscriptionId)!))].sort();

    /** `n` engagements of the user, one a day back from `daysAgo`, at `utcTime` (HH:MM). */
    const plant = async (appId: string, userId: string, type: string, n: number, utcTime: string, daysAgo = 1) => {
      const sub = await c.ctx.store.db.selectFrom('subscriptions').select('id').where('app_id', '=', appId).where('user_id', '=', userId).executeTakeFirstOrThrow();
      const [h, m] = utcTime.split(':').map(Number);
      const day = Date.parse('2026-12-01T00:00:00Z');
      const rows = Array.from({ length: n }, (_, i) => {
        const at = day - (daysAgo + i) * DAY + (h! * 60 + m!) * 60_000;
        return { app_id: appId, type, notification_id: null, subscription_id: sub.id, action: null, dedupe_key: null, at, received_at: at };
      });
      await c.ctx.store.db.insertInto('events').values(rows).execute();
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 2 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      quiet = await c.createApp('no history');
      const add = async (a: typeof app, id: string, timezone: string) => userOf.set(await userWithDevice(c, sink, a, id, { timezone, attributes: { group: 'a' } }), id);
      await add(app, 'ana', 'Europe/Paris');
      await add(app, 'kenji', 'Asia/Tokyo');
      await add(app, 'cleo', 'Europe/Paris');
      for (let i = 0; i < 5; i++) await add(app, `f${i}`, 'Europe/Paris');
      await add(quiet, 'dora', 'Europe/Paris');
      // Ana clicks at 20:xx in Paris (19:xx UTC): her hour.
      await plant(app.id, 'ana', 'clicked', 3, '19:40');
      // Kenji's displays at 07:xx in Tokyo (22:xx UTC); older ones at 22:xx Tokyo are past the 90 days.
      await plant(app.id, 'kenji', 'displayed', 4, '22:15');
      await plant(app.id, 'kenji', 'clicked', 5, '13:10', 95);
      // Cleo has two clicks, too few to be a habit: she gets the app's hour.
      await plant(app.id, 'cleo', 'clicked', 2, '08:05');
      // The others make the app's hour 13:00 in Paris (12:xx UTC): 20 of its 29 engagements.
      for (let i = 0; i < 5; i++) await plant(app.id, `f${i}`, 'clicked', 4, '12:30');
      assert.equal((await call(app, 'PATCH', '/campaign-settings', { quietHours: { start: '21:00', end: '08:00' } })).status, 200);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('each user at their own best hour, the app’s, or the fallback; quiet hours after; one wave per instant, each user once', async () => {
      clock = LAUNCH;
      const body = { name: 'best', audience: { filter: { attribute: 'group', op: 'eq', value: 'a' } }, content: { en: { title: 'Hi' } }, category: 'promotions', schedule: { intelligent: { within: '24h', fallback: '10:00' } } };
      const created = await call(app, 'POST', '/campaigns', body);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const launched = await call(app, 'POST', `/campaigns/${created.body.id}/launch`);
      assert.equal(launched.status, 200, JSON.stringify(launched.body));
      assert.equal(launched.body.status, 'planning', 'the launch answers at once; a job plans each user');
      const id = created.body.id as string;
      await drained(c);
      const planned = (await call(app, 'GET', `/campaigns/${id}`)).body;
      assert.equal(planned.status, 'scheduled');
      assert.deepEqual([planned.planning.phase, planned.planning.planned, planned.planning.total], ['launch', 8, 8]);
      assert.equal(planned.planning.finishedAt, new Date(LAUNCH).toISOString());
      const waves = await c.ctx.store.db.selectFrom('notifications').select('send_at').where('campaign_id', '=', id).orderBy('send_at').execute();
      assert.deepEqual(
        waves.map((w) => new Date(w.send_at).toISOString()),
        ['2026-12-01T12:00:00.000Z', '2026-12-01T19:00:00.000Z', '2026-12-01T23:00:00.000Z'],
        '13:00 Paris (the app’s hour and the five whose own it is), 20:00 Paris (Ana), 08:00 Tokyo (Kenji’s 07:00, held by quiet hours)',
      );
      await drained(c);
      assert.deepEqual(reached(), [], 'nothing before its hour');
      clock = Date.parse('2026-12-01T12:00:00Z');
      await drained(c);
      assert.deepEqual(reached(), ['cleo', 'f0', 'f1', 'f2', 'f3', 'f4']);
      clock = Date.parse('2026-12-01T19:00:00Z');
      await drained(c);
      assert.deepEqual(reached(), ['ana', 'cleo', 'f0', 'f1', 'f2', 'f3', 'f4']);
      // 23:30 in Paris is 07:30 in Tokyo: Kenji's 07:00 is held by the app's window until 08:00, and says so.
      clock = Date.parse('2026-12-01T22:30:00Z');
      await drained(c);
      const holding = (await call(app, 'GET', `/campaigns/${id}`)).body.counts.recipients;
      assert.deepEqual([holding.sent, holding.quiet_held], [7, 1]);
      const held = (await call(app, 'GET', `/campaigns/${id}/recipients?reason=quiet_held`)).body.data;
      assert.deepEqual(held.map((r: any) => [r.userId, r.detail, r.at]), [['kenji', 'held by quiet hours (21:00-08:00, the app’s) until 2026-12-01T23:00:00.000Z', '2026-12-01T22:00:00.000Z']]);
      clock = Date.parse('2026-12-01T23:00:00Z');
      await drained(c);
      assert.equal(sink.received.length, 8, 'each user once, though every wave has the whole filter');

      const list = (await call(app, 'GET', `/campaigns/${id}/recipients?reason=sent`)).body.data as any[];
      const timing = (user: string) => list.find((r) => r.userId === user).timing;
      assert.deepEqual(timing('ana').best, { time: '20:00', source: 'user', engagements: 3 });
      assert.equal(timing('ana').sendAt, '2026-12-01T19:00:00.000Z');
      assert.deepEqual(timing('kenji').best, { time: '07:00', source: 'user', engagements: 4 }, 'the clicks of 95 days ago do not count');
      assert.deepEqual(timing('kenji').quiet, { window: '21:00-08:00', source: 'app', until: '2026-12-01T23:00:00.000Z' });
      assert.equal(timing('kenji').dueAt, '2026-12-01T22:00:00.000Z');
      assert.deepEqual(timing('cleo').best, { time: '13:00', source: 'app', engagements: 2 });
      assert.deepEqual(timing('f3').best, { time: '13:00', source: 'user', engagements: 4 });
      const plans = () => c.ctx.store.db.selectFrom('campaign_user_plans').select('user_seq').where('campaign_id', '=', id).execute();
      assert.equal((await plans()).length, 8, 'one plan row per user');
      const done = (await call(app, 'GET', `/campaigns/${id}`)).body;
      assert.equal(done.status, 'completed');
      assert.equal(done.counts.recipients.sent, 8);
      assert.equal(done.counts.heldByQuietHours, 1);
      assert.equal((await plans()).length, 0, 'a completed campaign’s plan is dropped');
    });

    test('an app without history: the fallback', async () => {
      sink.received.length = 0;
      clock = LAUNCH + 2 * DAY;
      const created = await call(quiet, 'POST', '/campaigns', { name: 'new', audience: { filter: { attribute: 'group', op: 'eq', value: 'a' } }, content: { en: { title: 'Hi' } }, schedule: { intelligent: { fallback: '18:30' } } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal((await call(quiet, 'POST', `/campaigns/${created.body.id}/launch`)).status, 200);
      clock = Date.parse('2026-12-03T17:30:00Z'); // 18:30 in Paris
      await drained(c);
      assert.deepEqual(reached(), ['dora']);
      const list = (await call(quiet, 'GET', `/campaigns/${created.body.id}/recipients?reason=sent`)).body.data as any[];
      assert.deepEqual(list[0].timing.best, { time: '18:30', source: 'fallback', engagements: 0 });
    });
  });
}
