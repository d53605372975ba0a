/**
 * The price-drop recipe end to end, on SQLite, PostgreSQL and PostgreSQL + Redis, on an
 * injected clock, to the loopback push service: the merchant's backend sends `price_changed`
 * for an item (from a user id of its own, as /track takes every event); everyone who viewed
 * that sku in the last 30 days and has not bought it is sent one push when the drop reaches
 * the journey's threshold, and no one more than one such push a day.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, track, until, type App } from './journey-fixture.ts';
import { PRICE_DROP } from '../../src/journeys/templates.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The user id the merchant's backend sends its item events as: any id the app keeps for it. */
const CATALOG = 'catalog';

for (const kind of DEPLOYMENTS) {
  describe(`journeys: the price drop (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let clock = T0;
    let journey: string;
    const device = new Map<string, string>();
    const got = (user: string) => titles(sink.receivedFor(device.get(user)!));
    const everyone = ['ann', 'bob', 'cat', 'dan', 'eve'];
    const pushes = () => everyone.reduce((n, u) => n + got(u).length, 0);
    const priceChanged = (sku: string, oldPrice: number, newPrice: number) => track(c, app, CATALOG, 'price_changed', { sku, name: `Kettle ${sku}`, oldPrice, newPrice });
    /** Every event handled and every push delivered: nothing is due in the queue, twice, a moment apart. */
    const settled = async () => {
      await drained(c);
      await new Promise((r) => setTimeout(r, kind === 'postgres+redis' ? 500 : 200));
      await drained(c);
    };

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (const u of everyone) device.set(u, await userWithDevice(c, sink, app, u, { language: 'en' }));
      // Ann viewed sku A two days ago; Bob viewed it and bought it; Cat viewed it 31 days ago;
      // Dan viewed another sku; Eve viewed A and bought something else.
      await track(c, app, 'ann', 'product_viewed', { sku: 'A' }, T0 - 2 * DAY);
      await track(c, app, 'bob', 'product_viewed', { sku: 'A' }, T0 - 5 * DAY);
      await track(c, app, 'bob', 'purchase', { sku: 'A' }, T0 - DAY);
      await track(c, app, 'cat', 'product_viewed', { sku: 'A' }, T0 - 31 * DAY);
      await track(c, app, 'dan', 'product_viewed', { sku: 'B' }, T0 - DAY);
      await track(c, app, 'eve', 'product_viewed', { sku: 'A' }, T0 - 10 * DAY);
      await track(c, app, 'eve', 'purchase', { sku: 'B' }, T0 - 3 * DAY);
      journey = await activeJourney(c, app, PRICE_DROP);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('below the threshold nobody; at it, the sku’s recent viewers who did not buy it, once a day', async () => {
      // From a browser (the publishable key) an item's event starts nothing, however deep the
      // drop: only the app's server speaks for an item, or any visitor could push its text.
      const fromBrowser = await c.api('POST', `/v1/apps/${app.id}/track`, {
        key: app.publishableKey,
        // A real account of the site's: its id proven as the SDK proves it.
        body: { userIdHash: createHmac('sha256', app.identitySecret).update('mallory').digest('hex'), events: [{ userId: 'mallory', name: 'price_changed', properties: { sku: 'A', name: 'Visit evil.example', oldPrice: 100, newPrice: 1 } }] },
      });
      assert.equal(fromBrowser.status, 200, JSON.stringify(fromBrowser.body));
      assert.equal(fromBrowser.body.accepted, 1);
      await settled();
      assert.equal((await runsOf(c, app, journey)).length, 0);
      assert.equal(pushes(), 0);

      // 10 % off, under the journey's 20 %: no run, no push.
      await priceChanged('A', 100, 90);
      await settled();
      assert.equal((await runsOf(c, app, journey)).length, 0);
      assert.equal(pushes(), 0);

      // Exactly 20 % off reaches the threshold: Ann and Eve; not Bob (bought it), Cat (31 days ago), Dan (another sku).
      await priceChanged('A', 40, 32);
      await until('the push to ann and eve', () => got('ann').length === 1 && got('eve').length === 1);
      assert.deepEqual(got('ann'), ['Kettle A is now 32']);
      assert.deepEqual(got('eve'), ['Kettle A is now 32']);
      const runs = await runsOf(c, app, journey);
      assert.deepEqual(runs.map((r) => r.userId).sort(), ['ann', 'eve']);
      assert.ok(runs.every((r) => r.endReason === 'completed'), JSON.stringify(runs));
      await settled();
      for (const u of ['bob', 'cat', 'dan']) assert.deepEqual(got(u), [], u);

      // A second, deeper drop the same day: no one gets a second push (at most one a day).
      clock = T0 + 3 * HOUR;
      await priceChanged('A', 32, 20);
      await settled();
      assert.equal(pushes(), 2);
      assert.equal((await runsOf(c, app, journey)).length, 2, 'the limit lets no run start');

      // The merchant's backend is not in the audience of its own event; the catalog user has no run.
      assert.equal((await runsOf(c, app, journey, CATALOG)).length, 0);

      // A day later the limit lets a new drop through again, to the same viewers.
      clock = T0 + DAY + HOUR;
      await priceChanged('A', 20, 10);
      await until('the next day’s push', () => got('ann').length === 2 && got('eve').length === 2);
      assert.deepEqual(got('ann'), ['Kettle A is now 32', 'Kettle A is now 10']);
      await settled();
      assert.equal(pushes(), 4);
      const records = await c.ctx.store.db.selectFrom('send_records').select('reason').where('app_id', '=', app.id).execute();
      assert.deepEqual(records.map((r) => r.reason), ['sent', 'sent', 'sent', 'sent']);
    });

    test('the audience’s window and its exception are the trigger’s: a view 29 days ago counts, a purchase later excludes', async () => {
      // Fay viewed sku C 29 days ago; Gus viewed it yesterday and bought it an hour ago.
      for (const u of ['fay', 'gus']) device.set(u, await userWithDevice(c, sink, app, u, { language: 'en' }));
      await track(c, app, 'fay', 'product_viewed', { sku: 'C' }, clock - 29 * DAY);
      await track(c, app, 'gus', 'product_viewed', { sku: 'C' }, clock - DAY);
      await track(c, app, 'gus', 'purchase', { sku: 'C' }, clock - HOUR);
      await priceChanged('C', 50, 25);
      await until('the push to fay', () => got('fay').length === 1);
      await settled();
      assert.deepEqual(got('fay'), ['Kettle C is now 25']);
      assert.deepEqual(got('gus'), []);
    });
  });
}
