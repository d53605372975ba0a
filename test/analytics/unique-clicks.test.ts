/**
 * Clicks counted once per recipient, and per action button (issue #13: the funnel runs
 * targeted → sent → delivered → displayed → clicked → converted, so a recipient who chose
 * two buttons is one click). A campaign with two buttons, sent to loopback subscriptions on
 * SQLite and PostgreSQL: reports with one button, two buttons (in one report, in two, and in
 * two at once), the notification itself and a button the notification does not have.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rebuildRollups } from '../../src/analytics/rebuild.ts';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

const T0 = Date.parse('2026-06-01T10:00:00Z');
const HOUR = 3_600_000;
const USERS = ['u1', 'u2', 'u3', 'u4', 'u5'];
const RANGE = '?from=2026-06-01T00:00:00Z&to=2026-06-02T00:00:00Z&interval=hour&timezone=UTC';

for (const kind of STORES) {
  describe(`clicks once per recipient, and per button (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0;
    const subs = new Map<string, string>();
    let campaignId = '';
    let notificationId = '';
    const call = (method: string, path: string, headers?: Record<string, string>) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(headers ? { headers } : {}) });
    const report = async (events: Record<string, unknown>[]) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/events`, { key: app.publishableKey, body: { events } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const click = (u: string, action?: string, at = T0 + HOUR + HOUR / 2) => ({ type: 'clicked', notificationId, subscriptionId: subs.get(u)!, at: new Date(at).toISOString(), ...(action ? { action } : {}) });

    before(async () => {
      c = await startCarillon(kind, { batchSize: 2 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (const u of USERS) {
        const s = sink.subscribe();
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: u }) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        subs.set(u, res.body.id);
        assert.equal((await c.api('PUT', `/v1/apps/${app.id}/users/${u}`, { key: app.secretKey, body: { attributes: { plan: 'pro' } } })).status, 200);
      }
      const made = await c.api('POST', `/v1/apps/${app.id}/campaigns`, {
        key: app.secretKey,
        body: {
          name: 'buttons',
          audience: { filter: { attribute: 'plan', op: 'eq', value: 'pro' } },
          content: { en: { title: 'Sale', actions: [{ action: 'buy', title: 'Buy' }, { action: 'later', title: 'Later' }] } },
        },
      });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      campaignId = made.body.id;
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/campaigns/${campaignId}/launch`, { key: app.secretKey })).status, 200);
      for (let i = 0; i < 400 && !notificationId; i++) {
        const waves = await c.ctx.store.db.selectFrom('notifications').select(['id', 'status']).where('campaign_id', '=', campaignId).execute();
        if (waves.length === 1 && waves[0]!.status === 'completed') notificationId = waves[0]!.id;
        else await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(notificationId, 'the campaign’s notification completed');
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the funnel and the series count a recipient’s click once, and each button apart; the CSV says the same; a rebuild recounts the same', async () => {
      clock = T0 + 3 * HOUR;
      await report(USERS.map((u) => ({ type: 'displayed', notificationId, subscriptionId: subs.get(u)!, at: new Date(T0 + HOUR).toISOString() })));
      await report([click('u1', 'buy')]);
      await report([click('u1', 'later', T0 + 2 * HOUR + 60_000), click('u1')]); // a second button, and the notification itself
      await report([click('u2', 'later')]);
      await report([click('u3', 'hack')]); // a button the notification does not have
      await report([click('u4', 'buy'), click('u4', 'later')]); // two buttons in one report
      await Promise.all([report([click('u5', 'buy')]), report([click('u5', 'later')])]); // two at once
      assert.equal((await report([click('u1', 'buy')])).duplicates, 1, 'a retried report counts once');

      const view = await call('GET', `/campaigns/${campaignId}/analytics${RANGE}`);
      assert.equal(view.status, 200, JSON.stringify(view.body));
      assert.equal(view.body.funnel.delivered, 5);
      assert.equal(view.body.funnel.displayed, 5);
      assert.equal(view.body.funnel.clicked, 5, 'u1 to u5, each once');
      assert.deepEqual(view.body.funnel.clickedByAction, { buy: 3, later: 4 });
      const own = await call('GET', `/notifications/${notificationId}/analytics${RANGE}`);
      assert.deepEqual(own.body.funnel, view.body.funnel, 'the campaign has one notification');

      const a = view.body.analytics;
      assert.deepEqual(a.actions, ['buy', 'later']);
      const [series] = a.series;
      assert.equal(series.totals.clicked, 5);
      assert.equal(series.totals.click_rate, 1);
      assert.equal(series.totals.confirmed_click_rate, 1);
      assert.deepEqual(series.clickedByAction, { buy: 3, later: 4 });
      const at = (iso: string) => series.points.find((p: any) => p.start === iso);
      // u1's second button is in the next hour: a button's click there, no second click of u1.
      assert.equal(at('2026-06-01T11:00:00Z').values.clicked, 5);
      assert.deepEqual(at('2026-06-01T11:00:00Z').clickedByAction, { buy: 3, later: 3 });
      assert.equal(at('2026-06-01T12:00:00Z').values.clicked, 0);
      assert.deepEqual(at('2026-06-01T12:00:00Z').clickedByAction, { buy: 0, later: 1 });
      assert.deepEqual(at('2026-06-01T09:00:00Z').clickedByAction, { buy: 0, later: 0 });
      assert.deepEqual(own.body.analytics, a);

      // The CSV: a column per button after the metrics, the same numbers as the JSON.
      const q = `${RANGE}&metrics=delivered,clicked,click_rate`;
      for (const path of [`/campaigns/${campaignId}/analytics${q}`, `/notifications/${notificationId}/analytics${q}`]) {
        const json = (await call('GET', path)).body.analytics;
        const csv = await call('GET', path, { accept: 'text/csv' });
        assert.equal(csv.status, 200);
        const lines = (csv.body as string).trimEnd().split('\r\n');
        assert.equal(lines[0], 'start,group,delivered,clicked,click_rate,clicked:buy,clicked:later');
        const fromJson = json.series.flatMap((s: any) => s.points.map((p: any) => [p.start, s.group ?? '', ...json.metrics.map((m: string) => (p.values[m] === null ? '' : String(p.values[m]))), ...json.actions.map((x: string) => String(p.clickedByAction[x]))].join(',')));
        assert.deepEqual(lines.slice(1), fromJson);
        // Delivered at 10:00, clicked at 11:00: that hour's click rate has no denominator, an empty cell.
        assert.ok(lines.includes('2026-06-01T11:00:00Z,,0,5,,3,3'), lines.slice(10, 14).join(' / '));
      }

      // The app's own series: clicks once per recipient, no buttons.
      const overall = (await call('GET', `/analytics${RANGE}`)).body;
      assert.equal(overall.series[0].totals.clicked, 5);
      assert.equal(overall.actions, undefined);
      assert.equal(overall.series[0].points[0].clickedByAction, undefined);

      // The log keeps every click as reported (webhooks carry them); the repeats are marked, the made-up button is not counted.
      const rows = await c.ctx.store.db.selectFrom('activity').select(['subscription_id', 'action', 'repeated']).where('type', '=', 'clicked').orderBy('seq').execute();
      const byUser = new Map([...subs].map(([u, s]) => [s, u]));
      const seen = rows.map((r) => `${byUser.get(r.subscription_id!)}:${r.action ?? '-'}:${Number(r.repeated)}`);
      assert.deepEqual(seen.slice(0, 7), ['u1:buy:0', 'u1:later:1', 'u1:-:1', 'u2:later:0', 'u3:hack:0', 'u4:buy:0', 'u4:later:1']);
      // The two reports at once: whichever came first holds u5's click, the other is its repeat.
      assert.deepEqual(seen.slice(7).map((x) => x.replace(/:[01]$/, '')).sort(), ['u5:buy', 'u5:later']);
      assert.deepEqual(seen.slice(7).map((x) => x.at(-1)).sort(), ['0', '1']);

      // A rebuild from the raw log recounts the same.
      await rebuildRollups(c.ctx.store.db, c.ctx.store.caps.dialect, { since: 0 });
      const again = await call('GET', `/campaigns/${campaignId}/analytics${RANGE}`);
      assert.deepEqual(again.body, view.body);
      assert.equal((await call('GET', `/analytics${RANGE}`)).body.series[0].totals.clicked, 5);
    });
  });
}
