/**
 * An item's event reaches its audience a page at a time (src/journeys/audience-walk.ts), on
 * SQLite, PostgreSQL and PostgreSQL + Redis, on an injected clock: with pages of two users,
 * five viewers are reached by three page jobs, each once, and the journey's stats show the
 * walk; a walk whose pages died before their cursor committed is walked again from there,
 * starting no run twice and counting exactly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, track, until, type App } from './journey-fixture.ts';
import { walkPage } from '../../src/journeys/audience-walk.ts';
import { PRICE_DROP } from '../../src/journeys/templates.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const DAY = 86_400_000;

for (const kind of DEPLOYMENTS) {
  describe(`journeys: an item's audience, a page at a time (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let journey: string;
    const clock = T0;
    const viewers = ['v1', 'v2', 'v3', 'v4', 'v5'];
    const device = new Map<string, string>();
    const pushes = () => viewers.reduce((n, u) => n + titles(sink.receivedFor(device.get(u)!)).length, 0);
    const stats = async () => (await c.api('GET', `/v1/apps/${app.id}/journeys/${journey}/stats`, { key: app.secretKey })).body;
    const settled = async () => {
      await drained(c);
      await new Promise((r) => setTimeout(r, kind === 'postgres+redis' ? 500 : 200));
      await drained(c);
    };

    before(async () => {
      c = await startCarillon(kind, { journeyAudiencePage: 2 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (const u of viewers) {
        device.set(u, await userWithDevice(c, sink, app, u, { language: 'en' }));
        await track(c, app, u, 'product_viewed', { sku: 'W' }, T0 - DAY);
      }
      journey = await activeJourney(c, app, PRICE_DROP);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('five viewers in pages of two: each reached once, and the walk in the stats', async () => {
      await track(c, app, 'catalog', 'price_changed', { sku: 'W', name: 'Wok', oldPrice: 50, newPrice: 30 });
      await until('five pushes', () => pushes() === 5);
      await settled();
      assert.equal(pushes(), 5);
      for (const u of viewers) assert.deepEqual(titles(sink.receivedFor(device.get(u)!)), ['Wok is now 30'], u);
      const [walk, ...others] = (await stats()).audience;
      assert.equal(others.length, 0);
      assert.deepEqual(
        { ...walk, event: { name: walk.event.name, sku: walk.event.properties.sku } },
        { event: { name: 'price_changed', sku: 'W' }, state: 'done', seen: 5, entered: 5, startedAt: new Date(T0).toISOString(), updatedAt: new Date(T0).toISOString() },
      );
    });

    test('pages that died before their cursor committed are walked again from it: no run starts twice, the counts are exact', async () => {
      // As after a kill -9 of the page jobs once their runs had started: the walk's row is back at its start.
      const row = await c.ctx.store.db.selectFrom('journey_audience_walks').select(['id']).where('journey_id', '=', journey).executeTakeFirstOrThrow();
      await c.ctx.store.db.updateTable('journey_audience_walks').set({ cursor: 0, seen: 0, entered: 0, state: 'walking' }).where('id', '=', row.id).execute();
      assert.equal((await stats()).audience[0].state, 'walking');
      // Each page from the cursor the last one committed (the queue may hold a job for it too: the cursor moves once).
      for (let pages = 0; ; pages++) {
        const now = await c.ctx.store.db.selectFrom('journey_audience_walks').select(['cursor', 'state']).where('id', '=', row.id).executeTakeFirstOrThrow();
        if (now.state !== 'walking') break;
        assert.ok(pages < 3, 'three pages of two');
        await walkPage(c.ctx, { walkId: Number(row.id), cursor: Number(now.cursor) });
      }
      await settled();
      const [walk] = (await stats()).audience;
      assert.deepEqual([walk.seen, walk.entered], [5, 5], 'the runs the first walk started are its own, counted once');
      assert.equal((await runsOf(c, app, journey)).length, 5, 'no run started twice');
      assert.equal(pushes(), 5, 'no push sent twice');
      // A page job for a cursor the walk has gone past does nothing.
      await walkPage(c.ctx, { walkId: Number(row.id), cursor: 0 });
      assert.equal((await stats()).audience[0].seen, 5);
    });

    test("erasing the user whose event started a walk clears their id from it; the walk and its figures stay", async () => {
      const before = await c.ctx.store.db.selectFrom('journey_audience_walks').select(['id', 'event']).where('journey_id', '=', journey).executeTakeFirstOrThrow();
      assert.equal(JSON.parse(before.event).userId, 'catalog');
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/users/catalog`, { key: app.secretKey })).status, 204);
      const after = await c.ctx.store.db.selectFrom('journey_audience_walks').select('event').where('id', '=', before.id).executeTakeFirstOrThrow();
      assert.ok(!after.event.includes('"catalog"'), after.event);
      assert.equal(JSON.parse(after.event).properties, JSON.parse(before.event).properties, 'the item the walk is about is kept');
      const [walk] = (await stats()).audience;
      assert.deepEqual([walk.event.properties.sku, walk.seen, walk.entered], ['W', 5, 5]);
    });
  });
}
