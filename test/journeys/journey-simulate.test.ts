/**
 * Simulation (POST .../journeys/{id}/simulate) and templates (GET .../journey-templates) on
 * SQLite, PostgreSQL and PostgreSQL + Redis, on an injected clock: the recipes' timelines
 * for a stored user and a made-up one, with the content rendered as a preview; events at
 * their offsets ending a waitFor or the run; nothing sent, stored or queued (counted);
 * refusals with a pointer; the templates saved as they are.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, type App } from './journey-fixture.ts';
import { ABANDONED_CART, APPOINTMENT_REMINDER, PRICE_DROP } from '../../src/journeys/templates.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const cart = { firstItemName: 'Blue kettle', firstItemImage: 'https://shop.example/kettle.png', itemCount: 2 };

for (const kind of DEPLOYMENTS) {
  describe(`journeys: simulation and templates (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let device: string;
    const clock = T0;
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    /** Everything a simulation must not touch, counted. */
    const footprint = async () => {
      const db = c.ctx.store.db;
      const count = async (table: 'notifications' | 'send_records' | 'journey_runs' | 'journey_step_counts' | 'user_events') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      const depth = await c.ctx.queue.depth();
      return {
        notifications: await count('notifications'),
        sendRecords: await count('send_records'),
        runs: await count('journey_runs'),
        stepCounts: await count('journey_step_counts'),
        events: await count('user_events'),
        queued: depth.waiting + depth.delayed + depth.active,
        received: sink.receivedFor(device).length,
      };
    };

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      device = await userWithDevice(c, sink, app, 'ann', { language: 'en', timezone: 'Europe/Paris' });
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the templates are the recipes, each saved by a plain createJourney', async () => {
      const res = await call('GET', '/journey-templates');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.data.map((t: any) => t.id), ['abandoned_cart', 'appointment_reminder', 'price_drop']);
      assert.deepEqual(res.body.data[0].journey, ABANDONED_CART);
      assert.deepEqual(res.body.data[1].journey, APPOINTMENT_REMINDER);
      assert.deepEqual(res.body.data[2].journey, PRICE_DROP);
      for (const t of res.body.data) {
        assert.ok(t.name && t.description, JSON.stringify(t));
        const saved = await call('POST', '/journeys', t.journey);
        assert.equal(saved.status, 201, JSON.stringify(saved.body));
        assert.equal(saved.body.name, t.name);
      }
    });

    test('the abandoned cart for a stored user: both pushes rendered at their times, a purchase ending it; nothing sent, stored or queued', async () => {
      const id = await activeJourney(c, app, ABANDONED_CART);
      const beforeAll = await footprint();
      const res = await call('POST', `/journeys/${id}/simulate`, { userId: 'ann', trigger: { name: 'cart_updated', properties: cart } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.endedBy, 'completed');
      assert.deepEqual(
        res.body.timeline.map((e: any) => [e.at, e.step, e.what]),
        [
          [iso(T0), null, 'entered'],
          [iso(T0), '/steps/0', 'waiting'],
          [iso(T0 + HOUR), '/steps/0', 'waited'],
          [iso(T0 + HOUR), '/steps/1', 'sent'],
          [iso(T0 + HOUR), '/steps/2', 'waiting'],
          [iso(T0 + HOUR + DAY), '/steps/2', 'waited'],
          [iso(T0 + HOUR + DAY), '/steps/3', 'sent'],
          [iso(T0 + HOUR + DAY), null, 'completed'],
        ],
      );
      const first = res.body.timeline[3].detail;
      assert.equal(first.title, 'You left Blue kettle in your cart');
      assert.equal(first.image, 'https://shop.example/kettle.png');
      assert.equal(first.category, 'promotions');
      assert.equal(res.body.timeline[6].detail.title, 'Still thinking about Blue kettle?');
      assert.equal(res.body.timeline[1].detail.until, iso(T0 + HOUR));

      const bought = await call('POST', `/journeys/${id}/simulate`, { userId: 'ann', trigger: { properties: cart }, events: [{ name: 'purchase', at: '+3h', properties: { total: 30 } }] });
      assert.equal(bought.status, 200, JSON.stringify(bought.body));
      assert.equal(bought.body.endedBy, 'exit_event:purchase');
      assert.deepEqual(bought.body.timeline.filter((e: any) => e.what === 'sent').map((e: any) => e.detail.title), ['You left Blue kettle in your cart']);
      assert.deepEqual(bought.body.timeline.at(-1), { at: iso(T0 + 3 * HOUR), step: '/steps/2', what: 'exited', detail: { reason: 'exit_event:purchase' } });

      const short = await call('POST', `/journeys/${id}/simulate`, { userId: 'ann', until: '2h' });
      assert.equal(short.body.endedBy, null, 'not ended within the two hours simulated');
      assert.equal(short.body.timeline.at(-1).what, 'stopped');
      assert.equal(short.body.timeline.find((e: any) => e.what === 'sent').detail.title, 'You left  in your cart', 'no properties: a minimal trigger event');

      assert.deepEqual(await footprint(), beforeAll, 'no notification, send record, run, count, event or job; the device got nothing');
    });

    test('a made-up user: the reminder at T-24 h and T-1 h; a waitFor ended by an event at its offset, a branch on an attribute an update step set', async () => {
      const id = await activeJourney(c, app, APPOINTMENT_REMINDER);
      const starts = T0 + 3 * DAY;
      const res = await call('POST', `/journeys/${id}/simulate`, { user: { language: 'en', timezone: 'Asia/Kolkata' }, trigger: { properties: { what: 'dentist', startsAt: iso(starts) } } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body.timeline.filter((e: any) => e.what === 'sent').map((e: any) => [e.at, e.detail.title]), [
        [iso(starts - DAY), 'Tomorrow: dentist'],
        [iso(starts - HOUR), 'In an hour: dentist'],
      ]);
      const cancelled = await call('POST', `/journeys/${id}/simulate`, { user: {}, trigger: { properties: { what: 'dentist', startsAt: iso(starts) } }, events: [{ name: 'appointment_cancelled', at: '+1d' }] });
      assert.equal(cancelled.body.endedBy, 'exit_event:appointment_cancelled');
      assert.equal(cancelled.body.timeline.filter((e: any) => e.what === 'sent').length, 0);
      const vague = await call('POST', `/journeys/${id}/simulate`, { user: {}, trigger: { properties: { what: 'dentist' } } });
      assert.equal(vague.body.endedBy, 'event_time_missing:startsAt');

      const flow = await activeJourney(c, app, {
        name: 'Flow',
        trigger: { event: 'signed_up' },
        steps: [
          { waitFor: { event: 'profile_done', within: '2d', matched: [{ update: { attributes: { onboarded: true } } }], timedOut: [] } },
          { branch: { filter: { attribute: 'onboarded', op: 'eq', value: true }, then: [{ send: { content: { en: { title: 'Welcome {{ user.attributes.nick }}' }, fr: { title: 'Bienvenue {{ user.attributes.nick }}' } }, defaultLanguage: 'en' } }], else: [{ send: { content: { en: { title: 'Finish your profile' } } } }] } },
        ],
      });
      const done = await call('POST', `/journeys/${flow}/simulate`, { user: { language: 'fr', attributes: { nick: 'Zoé' } }, events: [{ name: 'profile_done', at: '+5h' }] });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.deepEqual(
        done.body.timeline.map((e: any) => [e.at, e.step, e.what]),
        [
          [iso(T0), null, 'entered'],
          [iso(T0), '/steps/0', 'waiting'],
          [iso(T0 + 5 * HOUR), '/steps/0', 'event'],
          [iso(T0 + 5 * HOUR), '/steps/0', 'matched'],
          [iso(T0 + 5 * HOUR), '/steps/0/waitFor/matched/0', 'updated'],
          [iso(T0 + 5 * HOUR), '/steps/1', 'branch'],
          [iso(T0 + 5 * HOUR), '/steps/1/branch/then/0', 'sent'],
          [iso(T0 + 5 * HOUR), null, 'completed'],
        ],
      );
      assert.equal(done.body.timeline[6].detail.title, 'Bienvenue Zoé', 'rendered in the user’s language with their attributes');
      const late = await call('POST', `/journeys/${flow}/simulate`, { user: {}, events: [{ name: 'profile_done', at: '+3d' }] });
      assert.deepEqual(late.body.timeline.filter((e: any) => e.what === 'timed_out' || e.what === 'sent').map((e: any) => [e.at, e.what, e.detail.title]), [
        [iso(T0 + 2 * DAY), 'timed_out', undefined],
        [iso(T0 + 2 * DAY), 'sent', 'Finish your profile'],
      ]);
    });

    test('a refused simulation names the member at fault; nothing changes', async () => {
      const id = await activeJourney(c, app, { ...ABANDONED_CART, name: 'Refusals' });
      const beforeAll = await footprint();
      const cases: [unknown, number, string, string | undefined][] = [
        [{ userId: 'ann', events: [{ name: 'purchase', at: '2h' }] }, 400, 'invalid_simulation', '#/events/0/at'],
        [{ userId: 'ann', events: [{ name: 'purchase', at: '+soon' }] }, 400, 'invalid_simulation', '#/events/0/at'],
        [{ userId: 'ann', events: [{ name: 'not ok', at: '+1h' }] }, 400, 'invalid_simulation', '#/events/0/name'],
        [{}, 400, 'invalid_simulation', '#'],
        [{ userId: 'ann', user: {} }, 400, 'invalid_simulation', '#'],
        [{ user: { attributes: { 'bad key!': 1 } } }, 400, 'invalid_simulation', '#/user/attributes/bad%20key!'],
        [{ user: { timezone: 'Mars/Olympus' } }, 400, 'invalid_simulation', undefined],
        [{ userId: 'ann', until: '2y' }, 400, 'invalid_simulation', '#/until'],
        [{ userId: 'ann', trigger: { name: 'purchase' } }, 400, 'invalid_simulation', '#/trigger/name'],
        [{ userId: 'nobody' }, 404, 'user_not_found', undefined],
        [{ userId: 'ann', version: 9 }, 404, 'journey_version_not_found', undefined],
      ];
      for (const [body, status, code, pointer] of cases) {
        const res = await call('POST', `/journeys/${id}/simulate`, body);
        assert.equal(res.status, status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.body.code, code, JSON.stringify(res.body));
        if (pointer !== undefined) assert.equal(res.body.pointer, pointer, JSON.stringify(res.body));
      }
      const many = await call('POST', `/journeys/${id}/simulate`, { userId: 'ann', events: Array.from({ length: 101 }, () => ({ name: 'x', at: '+1h' })) });
      assert.equal(many.status, 400, JSON.stringify(many.body));
      assert.equal((await call('POST', '/journeys/jrn_nope/simulate', { userId: 'ann' })).body.code, 'journey_not_found');
      assert.deepEqual(await footprint(), beforeAll);
    });
  });
}
