/**
 * Segment-entry triggers end to end, on SQLite, PostgreSQL and PostgreSQL + Redis, on an
 * injected clock, to the loopback push service: a user starts a run when an attribute write
 * or a tracked event puts them in the segment; a further change while they match starts
 * nothing; leaving and matching again follows the journey's re-entry rule; a user created by
 * /track enters a segment they match at creation; the users of a batch whose events no
 * segment reads are not looked at; a segment of another app is refused at save.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, track, until, type App } from './journey-fixture.ts';
import { segmentEntriesAfterEvents } from '../../src/journeys/segment-entry.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;

for (const kind of DEPLOYMENTS) {
  describe(`journeys: segment-entry triggers (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let clock = T0;
    const device = new Map<string, string>();
    const got = (user: string) => titles(sink.receivedFor(device.get(user)!));
    const segment = async (a: App, filter: unknown): Promise<string> => {
      const res = await c.api('POST', `/v1/apps/${a.id}/segments`, { key: a.secretKey, body: { name: 'seg', filter } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const put = async (user: string, body: Record<string, unknown>) => {
      const res = await c.api('PUT', `/v1/apps/${app.id}/users/${user}`, { key: app.secretKey, body });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };

    before(async () => {
      c = await startCarillon(kind, kind === 'postgres+redis' ? { queueLease: 1_000 } : {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (const u of ['ann', 'bob', 'cat', 'dan']) device.set(u, await userWithDevice(c, sink, app, u, { language: 'en', attributes: { plan: 'free' } }));
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('an attribute write that puts the user in the segment starts one run; further writes while they match start none; leaving and matching again re-enters after the re-entry time', async () => {
      const pro = await segment(app, { attribute: 'plan', op: 'eq', value: 'pro' });
      const journey = await activeJourney(c, app, {
        name: 'Welcome to pro',
        trigger: { segmentEntry: pro },
        reentry: { after: '1d' },
        steps: [{ send: { content: { en: { title: 'Welcome to {{ event.properties.segment }} via {{ event.properties.via }}' } } } }],
      });
      await put('ann', { attributes: { plan: 'pro' } });
      await until('ann is sent the welcome', () => got('ann').length === 1);
      assert.deepEqual(got('ann'), [`Welcome to ${pro} via attributes`]);
      // Bob's write changes nothing the segment reads: he stays out.
      await put('bob', { attributes: { plan: 'free', seats: 3 } });

      // Ann still matches: another write (the same plan, another attribute) starts nothing.
      await put('ann', { attributes: { plan: 'pro', seats: 5 } });
      await drained(c);
      const [first, ...others] = await runsOf(c, app, journey, 'ann');
      assert.equal(others.length, 0, 'one run for ann');
      assert.equal(first.endReason, 'completed');
      assert.equal((await runsOf(c, app, journey, 'bob')).length, 0);

      // She leaves and comes back within the day: re-entry holds her out.
      await put('ann', { attributes: { plan: 'free' } });
      await put('ann', { attributes: { plan: 'pro' } });
      await drained(c);
      assert.equal((await runsOf(c, app, journey, 'ann')).length, 1, 'no second run within the re-entry time');
      // A further write while she matches does not count as an entry once the day has passed.
      clock = T0 + 25 * HOUR;
      await put('ann', { attributes: { seats: 6 } });
      await drained(c);
      assert.equal((await runsOf(c, app, journey, 'ann')).length, 1, 'matching already, a write is no entry');
      // Leaving and matching again after the day: a second run.
      await put('ann', { attributes: { plan: 'free' } });
      await put('ann', { attributes: { plan: 'pro' } });
      await until('ann re-entered', async () => (await runsOf(c, app, journey, 'ann')).length === 2);
      await until('ann is sent the welcome again', () => got('ann').length === 2);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/journeys/${journey}/archive`, { key: app.secretKey })).status, 200);
    });

    test('a tracked event that puts the user in the segment starts a run, once', async () => {
      const buyers = await segment(app, { event: 'purchase', count: { gte: 2 }, within: '30d' });
      const journey = await activeJourney(c, app, {
        name: 'Loyal buyers',
        trigger: { segmentEntry: buyers },
        steps: [{ send: { content: { en: { title: 'Thanks for coming back ({{ event.properties.via }})' } } } }],
      });
      await track(c, app, 'cat', 'purchase', { total: 10 });
      await drained(c);
      assert.equal((await runsOf(c, app, journey, 'cat')).length, 0, 'one purchase is not the segment');
      await track(c, app, 'cat', 'purchase', { total: 12 });
      await until('cat is thanked', () => got('cat').length === 1);
      assert.deepEqual(got('cat'), ['Thanks for coming back (event:purchase)']);
      // A third purchase: she matched already.
      await track(c, app, 'cat', 'purchase', { total: 14 });
      await drained(c);
      const runs = await runsOf(c, app, journey, 'cat');
      assert.equal(runs.length, 1);
      assert.equal(got('cat').length, 1, 'sent once');
      // Dan's events of another name do not put him in.
      await track(c, app, 'dan', 'cart_updated', {});
      await drained(c);
      assert.equal((await runsOf(c, app, journey, 'dan')).length, 0);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/journeys/${journey}/archive`, { key: app.secretKey })).status, 200);
    });

    test('a user created by /track enters a segment they match at creation, as a user created by a PUT does', async () => {
      // Not a pro: every new user is in it, by no event of theirs.
      const notPro = await segment(app, { not: { attribute: 'plan', op: 'eq', value: 'pro' } });
      const journey = await activeJourney(c, app, { name: 'Newcomers', trigger: { segmentEntry: notPro }, steps: [{ wait: { duration: '1h' } }] });
      await track(c, app, 'new-by-track', 'page_viewed', { path: '/' });
      await put('new-by-put', { language: 'en' });
      await until('both entered', async () => (await runsOf(c, app, journey, 'new-by-track')).length === 1 && (await runsOf(c, app, journey, 'new-by-put')).length === 1);
      assert.match((await runsOf(c, app, journey, 'new-by-track'))[0].timeline[0].what, /^entered on segmentEntry/);
      // A known user's event (Dan matched already) and a second event of the new user start nothing.
      await track(c, app, 'dan', 'page_viewed', { path: '/' });
      await track(c, app, 'new-by-track', 'page_viewed', { path: '/again' });
      await drained(c);
      assert.equal((await runsOf(c, app, journey, 'dan')).length, 0);
      assert.equal((await runsOf(c, app, journey, 'new-by-track')).length, 1);
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/journeys/${journey}/archive`, { key: app.secretKey })).status, 200);
    });

    test('the users of a /track batch whose events no segment reads are not looked at', async () => {
      const buyers = await segment(app, { event: 'purchase', count: { gte: 5 }, within: '30d' });
      const journey = await activeJourney(c, app, { name: 'Big buyers', trigger: { segmentEntry: buyers }, steps: [{ wait: { duration: '1h' } }] });
      // The store as the entry check sees it, each statement's table noted.
      const tables: string[] = [];
      const db = c.ctx.store.db.withPlugin({
        transformQuery: (args) => {
          const from = (args.node as { from?: { froms?: { table?: { identifier?: { name?: string } } }[] } }).from?.froms?.[0]?.table?.identifier?.name;
          if (from) tables.push(from);
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const spied = { ...c.ctx, store: { ...c.ctx.store, db } };
      const at = clock;
      const cart = [{ userId: 'ann', name: 'cart_updated', at, properties: '{}' }, { userId: 'bob', name: 'page_viewed', at, properties: '{}' }];
      assert.deepEqual(await segmentEntriesAfterEvents(spied, app.id, cart), []);
      assert.equal(tables.filter((t) => t === 'user_attributes' || t === 'user_events').length, 0, `no user's facts read: ${tables.join(', ')}`);
      tables.length = 0;
      await segmentEntriesAfterEvents(spied, app.id, [...cart, { userId: 'bob', name: 'purchase', at, properties: '{}' }]);
      assert.equal(tables.filter((t) => t === 'user_attributes').length, 1, 'bob, whose purchase the segment reads, is looked at');
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/journeys/${journey}/archive`, { key: app.secretKey })).status, 200);
    });

    test("a segment of another app, or none, is refused at save with a pointer, and nothing is stored", async () => {
      const other = await c.createApp();
      const theirs = await segment(other, { attribute: 'plan', op: 'eq', value: 'pro' });
      const before = (await c.api('GET', `/v1/apps/${app.id}/journeys`, { key: app.secretKey })).body.data.length;
      for (const [seg, code, pointer] of [
        [theirs, 'unknown_segment', '#/trigger/segmentEntry'],
        ['seg_nothing', 'unknown_segment', '#/trigger/segmentEntry'],
        ['plan', 'invalid_journey', '#/trigger/segmentEntry'],
      ] as const) {
        const res = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body: { name: 'x', trigger: { segmentEntry: seg }, steps: [{ wait: { duration: '1h' } }] } });
        assert.equal(res.body.code, code, JSON.stringify(res.body));
        assert.equal(res.status, code === 'unknown_segment' ? 422 : 400);
        assert.equal(res.body.pointer, pointer);
      }
      const mine = await segment(app, { attribute: 'plan', op: 'eq', value: 'pro' });
      const withWhere = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body: { name: 'x', trigger: { segmentEntry: mine, where: { channel: 'fcm' } }, steps: [{ wait: { duration: '1h' } }] } });
      assert.equal(withWhere.status, 400);
      assert.equal(withWhere.body.pointer, '#/trigger/where');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/journeys`, { key: app.secretKey })).body.data.length, before);
      // Saved, it reads back as given (the expanded filter is the server's own), and a PATCH keeps it.
      const saved = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body: { name: 'x', trigger: { segmentEntry: mine }, steps: [{ wait: { duration: '1h' } }] } });
      assert.equal(saved.status, 201, JSON.stringify(saved.body));
      assert.deepEqual(saved.body.definition.trigger, { segmentEntry: mine });
      const patched = await c.api('PATCH', `/v1/apps/${app.id}/journeys/${saved.body.id}`, { key: app.secretKey, body: { name: 'y' } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
    });
  });
}
