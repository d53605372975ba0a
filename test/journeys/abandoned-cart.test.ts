/**
 * The abandoned-cart recipe end to end, on SQLite, PostgreSQL and PostgreSQL + Redis, on an
 * injected clock, to the loopback push service: a cart_updated starts a run, an hour later
 * the user is sent the first item's name from the event, a day later a reminder; a purchase
 * ends the run wherever it is, cancelling the send still pending; a user may enter again a
 * day after their last run ended, not before.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, track, until, type App } from './journey-fixture.ts';
import { ABANDONED_CART } from '../../src/journeys/templates.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;


// Event properties are scalars (docs/events.md): the site sends the cart's first item as properties of its own.
const cart = (name: string) => ({ firstItemName: name, firstItemImage: `https://shop.example/${name.replace(/ /g, '-')}.png`, itemCount: 2 });

for (const kind of DEPLOYMENTS) {
  describe(`journeys: the abandoned cart (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let clock = T0;
    let journey: string;
    const device = new Map<string, string>();
    const got = (user: string) => titles(sink.receivedFor(device.get(user)!));
    /**
     * Moves the clock once the queue is idle: a job running while the clock jumps past its
     * lease would be taken over and run again (at least once), which is delivery's business,
     * not what this test counts. On Redis each jump lands a minute later again than the last
     * (timers set after a jump are that much later too), so every due instant is a minute
     * past, and the reconcile, which waits two leases before it calls a timer lost, finds it.
     */
    let jumps = 0;
    const jump = async (to: number) => {
      await drained(c);
      clock = to + (kind === 'postgres+redis' ? ++jumps * 60_000 : 0);
    };

    before(async () => {
      // On Redis, BullMQ keeps delayed jobs on its own clock: a run's overdue timer is found
      // again from the store by the reconcile, which a short lease makes run every second.
      c = await startCarillon(kind, kind === 'postgres+redis' ? { queueLease: 1_000 } : {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (const u of ['ann', 'bob', 'cat']) device.set(u, await userWithDevice(c, sink, app, u, { timezone: 'Europe/Paris', language: 'en' }));
      journey = await activeJourney(c, app, ABANDONED_CART);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('an hour after the cart, the first item by name; a day later the reminder; a purchase ends the run and its pending send', async () => {
      await track(c, app, 'ann', 'cart_updated', cart('Blue kettle'));
      await track(c, app, 'bob', 'cart_updated', cart('Red mug'));
      await track(c, app, 'cat', 'cart_updated', cart('Green lamp'));
      await until('three runs waiting an hour', async () => (await runsOf(c, app, journey)).filter((r) => r.step === '/steps/0').length === 3);
      const [ann] = await runsOf(c, app, journey, 'ann');
      assert.equal(ann.dueAt, new Date(T0 + HOUR).toISOString());
      assert.equal(ann.version, 1);

      // Cat buys within the hour: nothing is ever sent to her.
      await jump(T0 + 30 * 60_000);
      await track(c, app, 'cat', 'purchase', { total: 30 });
      await until('cat’s run ended by the purchase', async () => (await runsOf(c, app, journey, 'cat'))[0].endReason === 'exit_event:purchase');

      await jump(T0 + HOUR + 1_000);
      await until('the first push to ann and bob', () => got('ann').length === 1 && got('bob').length === 1);
      assert.deepEqual(got('ann'), ['You left Blue kettle in your cart']);
      assert.deepEqual(got('bob'), ['You left Red mug in your cart']);
      const push = sink.receivedFor(device.get('ann')!)[0]!.json as { notification: { image?: string; navigate?: string } };
      assert.equal(push.notification.image, 'https://shop.example/Blue-kettle.png', 'the image from the event');
      await until('both runs wait a day', async () => (await runsOf(c, app, journey)).filter((r) => r.step === '/steps/2').length === 2);

      // Bob buys during the day's wait: his reminder, pending, is never sent.
      await jump(T0 + 5 * HOUR);
      await track(c, app, 'bob', 'purchase', { total: 12 });
      await until('bob’s run ended', async () => (await runsOf(c, app, journey, 'bob'))[0].state === 'ended');

      await jump(T0 + HOUR + DAY + 2_000);
      await until('the reminder to ann', () => got('ann').length === 2);
      assert.deepEqual(got('ann'), ['You left Blue kettle in your cart', 'Still thinking about Blue kettle?']);
      await until('ann’s run completed', async () => (await runsOf(c, app, journey, 'ann'))[0].endReason === 'completed');
      // Give a stray timer every chance to fire: bob's reminder and cat's first send stay unsent.
      await jump(clock + 3 * DAY);
      await new Promise((r) => setTimeout(r, kind === 'postgres+redis' ? 2_500 : 500));
      assert.deepEqual(got('bob'), ['You left Red mug in your cart']);
      assert.deepEqual(got('cat'), []);
      const [bob] = await runsOf(c, app, journey, 'bob');
      assert.equal(bob.endReason, 'exit_event:purchase');
      assert.ok(bob.timeline.some((e: any) => e.what === 'exit event purchase' && e.step === '/steps/2'), JSON.stringify(bob.timeline));
      // Every send went through delivery, recorded as sent.
      const records = await c.ctx.store.db.selectFrom('send_records').select(['reason']).where('app_id', '=', app.id).execute();
      assert.deepEqual(records.map((r) => r.reason), ['sent', 'sent', 'sent']);
      // One notification per send step of a run: the step key (run, position) is its idempotency key.
      const made = await c.ctx.store.db.selectFrom('notifications').select('idempotency_key').where('app_id', '=', app.id).execute();
      assert.equal(made.length, 3);
      assert.ok(made.every((n) => /^journey:\d+:\d+$/.test(n.idempotency_key ?? '')));
    });

    test('re-entry: not within a day of the last run’s end, then again', async () => {
      const base = clock;
      await track(c, app, 'dan', 'cart_updated', cart('Old boots'));
      device.set('dan', await userWithDevice(c, sink, app, 'dan', { language: 'en' }));
      await until('dan’s run', async () => (await runsOf(c, app, journey, 'dan')).length === 1);
      await track(c, app, 'dan', 'cart_cleared');
      await until('dan’s run ended', async () => (await runsOf(c, app, journey, 'dan'))[0].state === 'ended');
      await jump(base + 12 * HOUR);
      await track(c, app, 'dan', 'cart_updated', cart('New boots'));
      // The events job has run when a later event of someone else has been handled.
      await track(c, app, 'eve', 'cart_updated', cart('Hat'));
      await until('eve’s run', async () => (await runsOf(c, app, journey, 'eve')).length === 1);
      assert.equal((await runsOf(c, app, journey, 'dan')).length, 1, 'within a day of the last run: no new run');
      await jump(base + DAY + 60_000);
      await track(c, app, 'dan', 'cart_updated', cart('Red boots'));
      await until('dan’s second run', async () => (await runsOf(c, app, journey, 'dan')).length === 2);
      await jump(clock + HOUR + 1_000);
      await until('dan’s push names the cart of his second run', () => got('dan').length === 1);
      assert.deepEqual(got('dan'), ['You left Red boots in your cart']);
    });
  });
}
