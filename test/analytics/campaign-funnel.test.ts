/**
 * A campaign's analytics end to end, on real runtimes (SQLite, PostgreSQL) delivering to the
 * loopback push sink, on an injected clock: planted displays, clicks and conversion events
 * (direct and influenced, inside and outside the window, repeated, of other names) give an
 * exact funnel; the series, its CSV and the raw activity log agree; bad parameters answer
 * problem+json with their code and pointer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

const T0 = Date.parse('2026-06-01T10:00:00Z');
const HOUR = 3_600_000;
const USERS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];

for (const kind of STORES) {
  describe(`campaign funnel and analytics (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0;
    const subs = new Map<string, string>(); // user -> Carillon subscription id
    let campaignId = '';
    let notificationId = '';
    const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}), ...(headers ? { headers } : {}) });
    const report = async (events: Record<string, unknown>[]) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/events`, { key: app.publishableKey, body: { events } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const track = async (userId: string, name: string, at: number, properties: Record<string, unknown> = {}) => {
      const res = await call('POST', '/track', { events: [{ userId, name, time: new Date(at).toISOString(), properties }] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.accepted, 1, JSON.stringify(res.body));
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 2 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (const u of USERS) {
        const s = sink.subscribe();
        // u6's browser is gone: the push service answers 410, the subscription is pruned.
        if (u === 'u6') sink.gone(s.id);
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: u }) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        subs.set(u, res.body.id);
        assert.equal((await call('PUT', `/users/${u}`, { attributes: { plan: 'pro' } })).status, 200);
      }
      const made = await call('POST', '/campaigns', {
        name: 'summer',
        audience: { filter: { attribute: 'plan', op: 'eq', value: 'pro' } },
        category: 'promotions',
        content: { en: { title: 'Summer sale' } },
        conversion: { events: ['purchase', 'signup'], windowHours: 24 },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      campaignId = made.body.id;
      assert.equal((await call('POST', `/campaigns/${campaignId}/launch`)).status, 200);
      for (let i = 0; i < 400; i++) {
        const waves = await c.ctx.store.db.selectFrom('notifications').select(['id', 'status']).where('campaign_id', '=', campaignId).execute();
        if (waves.length === 1 && waves[0]!.status === 'completed') {
          notificationId = waves[0]!.id;
          break;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(notificationId, 'the campaign’s notification completed');
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the funnel counts planted displays, clicks and conversions exactly: direct, influenced, once per recipient, inside the window only', async () => {
      clock = T0 + HOUR;
      const sub = (u: string) => subs.get(u)!;
      await report(['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => ({ type: 'displayed', notificationId, subscriptionId: sub(u), at: new Date(T0 + HOUR / 2).toISOString() })));
      await report([
        { type: 'clicked', notificationId, subscriptionId: sub('u1') },
        { type: 'clicked', notificationId, subscriptionId: sub('u2') },
        { type: 'dismissed', notificationId, subscriptionId: sub('u4') },
      ]);
      // A retried report counts once.
      assert.equal((await report([{ type: 'clicked', notificationId, subscriptionId: sub('u1') }])).duplicates, 1);

      clock = T0 + 40 * HOUR;
      await track('u1', 'purchase', T0 + 2 * HOUR, { value: 10 }); // direct: 1 h after the click
      await track('u1', 'purchase', T0 + 3 * HOUR, { value: 99 }); // u1 converted already
      await track('u2', 'purchase', T0 + 30 * HOUR, { value: 5 }); // 29 h after the click: outside 24 h
      await track('u3', 'purchase', T0 + 3 * HOUR, { value: 7.25 }); // influenced: displayed, not clicked
      await track('u4', 'browse', T0 + 2 * HOUR); // not a conversion event
      await track('u5', 'signup', T0 + 24 * HOUR); // influenced, 23.5 h after the display
      await track('u5', 'purchase', T0 + 25 * HOUR, { value: 1000 }); // u5 converted already

      const view = await call('GET', `/campaigns/${campaignId}/analytics?from=2026-06-01T00:00:00Z&to=2026-06-03T00:00:00Z&interval=hour&timezone=UTC`);
      assert.equal(view.status, 200, JSON.stringify(view.body));
      assert.deepEqual(view.body.funnel, { targeted: 6, sent: 5, delivered: 5, displayed: 5, clicked: 2, converted: 3, convertedDirect: 1, convertedInfluenced: 2, revenue: 17.25, clickedByAction: {} });
      const own = await call('GET', `/notifications/${notificationId}/analytics?timezone=UTC&from=2026-06-01T00:00:00Z&to=2026-06-03T00:00:00Z`);
      assert.deepEqual(own.body.funnel, view.body.funnel, 'the campaign has one notification');

      const totals = view.body.analytics.series[0].totals;
      assert.equal(totals.failed, 0);
      assert.equal(totals.pruned, 1);
      assert.equal(totals.opted_out, 1, 'the pruned subscription');
      assert.equal(totals.dismissed, 1);
      assert.equal(totals.click_rate, 0.4);
      assert.equal(totals.confirmed_click_rate, 0.4);
      assert.equal(totals.conversion_rate, 0.6);
      assert.equal(totals.revenue, 17.25);
      // Each conversion in the hour of its event.
      const at = (iso: string) => view.body.analytics.series[0].points.find((p: any) => p.start === iso).values;
      assert.equal(at('2026-06-01T12:00:00Z').converted, 1);
      assert.equal(at('2026-06-01T13:00:00Z').converted, 1);
      assert.equal(at('2026-06-02T10:00:00Z').converted, 1);
      assert.equal(at('2026-06-01T10:00:00Z').displayed, 5);

      // The raw log says the same, row by row.
      const converted = await c.ctx.store.db.selectFrom('activity').select(['user_id', 'value', 'data', 'campaign_id', 'category', 'channel', 'subscription_id']).where('type', '=', 'converted').orderBy('seq').execute();
      assert.deepEqual(
        converted.map((r) => ({ ...r, data: JSON.parse(r.data!) })),
        [
          { user_id: 'u1', value: 10, data: { kind: 'direct', event: 'purchase', windowHours: 24 }, campaign_id: campaignId, category: 'promotions', channel: 'webpush', subscription_id: sub('u1') },
          { user_id: 'u3', value: 7.25, data: { kind: 'influenced', event: 'purchase', windowHours: 24 }, campaign_id: campaignId, category: 'promotions', channel: 'webpush', subscription_id: sub('u3') },
          { user_id: 'u5', value: null, data: { kind: 'influenced', event: 'signup', windowHours: 24 }, campaign_id: campaignId, category: 'promotions', channel: 'webpush', subscription_id: sub('u5') },
        ],
      );
    });

    test('the rollups agree with the raw log, and the CSV with the JSON', async () => {
      const raw = await sql<{ type: string; n: number; v: number }>`select type, count(*) as n, coalesce(sum(value), 0) as v from activity where app_id = ${app.id} group by type order by type`.execute(c.ctx.store.db);
      const rolled = await sql<{ type: string; n: number; v: number }>`select type, sum(count) as n, sum(value_sum) as v from activity_rollups where app_id = ${app.id} and type in (select distinct type from activity) group by type order by type`.execute(c.ctx.store.db);
      assert.deepEqual(rolled.rows.map((r) => [r.type, Number(r.n), Number(r.v)]), raw.rows.map((r) => [r.type, Number(r.n), Number(r.v)]));
      assert.deepEqual(
        raw.rows.map((r) => [r.type, Number(r.n)]),
        [['clicked', 2], ['converted', 3], ['delivered', 5], ['dismissed', 1], ['displayed', 5], ['opted_in', 6], ['opted_out', 1], ['pruned', 1], ['sent', 5]],
      );

      const q = '?from=2026-06-01T00:00:00Z&to=2026-06-03T00:00:00Z&interval=day&timezone=Europe/Paris&groupBy=campaign&metrics=delivered,clicked,click_rate,revenue';
      const json = await call('GET', `/analytics${q}`);
      assert.equal(json.status, 200, JSON.stringify(json.body));
      const csv = await call('GET', `/analytics${q}`, undefined, { accept: 'text/csv' });
      assert.equal(csv.status, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = (csv.body as string).trimEnd().split('\r\n');
      assert.equal(lines[0], 'start,group,delivered,clicked,click_rate,revenue');
      const fromJson = json.body.series.flatMap((s: any) => s.points.map((p: any) => [p.start, s.group, ...json.body.metrics.map((m: string) => (p.values[m] === null ? '' : String(p.values[m])))].join(',')));
      assert.deepEqual(lines.slice(1), fromJson);
      // Paris days: the first starts at 2026-05-31T22:00Z (local midnight, +02:00).
      assert.equal(json.body.series[0].points[0].start, '2026-06-01T00:00:00+02:00');
      const groups = json.body.series.map((s: any) => s.group);
      assert.ok(groups.includes(campaignId), JSON.stringify(groups));
    });

    test('erasing a user takes their ids out of the log and keeps the counts', async () => {
      const funnel = (await call('GET', `/campaigns/${campaignId}/analytics`)).body.funnel;
      const sub = subs.get('u1')!;
      const rowsOf = async () => (await c.ctx.store.db.selectFrom('activity').select('seq').where((eb) => eb.or([eb('user_id', '=', 'u1'), eb('subscription_id', '=', sub)])).execute()).length;
      assert.ok((await rowsOf()) >= 5, 'u1 has rows: opted in, sent, delivered, displayed, clicked, converted');
      assert.equal((await call('DELETE', '/users/u1')).status, 204);
      assert.equal(await rowsOf(), 0);
      assert.deepEqual((await call('GET', `/campaigns/${campaignId}/analytics`)).body.funnel, funnel);
    });

    test('bad parameters and conversion specs answer problem+json with their code and pointer, and store nothing', async () => {
      const cases: [string, string][] = [
        ['?interval=week', '#/interval'],
        ['?groupBy=planet', '#/groupBy'],
        ['?metrics=sent,joy', '#/metrics'],
        ['?timezone=Mars/Olympus', '#/timezone'],
        ['?from=yesterday', '#/from'],
        ['?from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z', '#/to'],
        ['?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', '#/from'],
        ['?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z&interval=hour', '#/interval'],
      ];
      for (const [q, pointer] of cases) {
        const res = await call('GET', `/analytics${q}`);
        assert.equal(res.status, 400, q);
        assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
        assert.equal(res.body.code, 'invalid_analytics_query', q);
        assert.equal(res.body.pointer, pointer, q);
      }
      const before = (await call('GET', '/campaigns')).body.data.length;
      const base = { name: 'x', audience: { filter: { attribute: 'plan', op: 'eq', value: 'pro' } }, content: { en: { title: 'x' } } };
      const specs: [unknown, string][] = [
        [{ events: ['a', 'b', 'c', 'd', 'e'] }, '#/conversion/events'],
        [{ events: [] }, '#/conversion/events'],
        [{ events: ['buy', 'buy'] }, '#/conversion/events/1'],
        [{ events: ['9lives'] }, '#/conversion/events/0'],
        [{ events: ['buy'], windowHours: 721 }, '#/conversion/windowHours'],
      ];
      for (const [conversion, pointer] of specs) {
        const campaign = await call('POST', '/campaigns', { ...base, conversion });
        assert.equal(campaign.status, 400, JSON.stringify(campaign.body));
        assert.equal(campaign.body.code, 'invalid_conversion');
        assert.equal(campaign.body.pointer, pointer);
        const notification = await call('POST', '/notifications', { to: { all: true }, title: 'x', conversion });
        assert.equal(notification.body.code, 'invalid_conversion');
        assert.equal(notification.body.pointer, pointer);
      }
      assert.equal((await call('GET', '/campaigns')).body.data.length, before);
      const unknown = await call('GET', '/campaigns/cmp_nothing/analytics');
      assert.equal(unknown.body.code, 'campaign_not_found');
    });
  });
}
