/**
 * Civic categories a user can turn off (issue #16), on SQLite and PostgreSQL: the app maps
 * CAP `<category>` values to categories of its own in its alert settings; an alert then
 * goes in the mapped category of its first `<info>`, so a user who turned `traffic` off
 * still gets storm warnings, and everyone else gets the road closure; an Extreme alert
 * reaches them all; an all-clear goes in the category of what it ends. Quiet hours and
 * frequency caps hold none of them, and none counts against the caps. A bad map is refused with the member it names, and
 * nothing is stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink, type SinkSubscription } from '../support/push-sink.ts';

const NOW = Date.parse('2026-12-01T10:05:00Z');
const INSIDE = { lat: 38.5, lon: -120.0 };

/** An alert over a 10 km circle, one `<info>` with the given `<category>` values. */
function alertXml(identifier: string, categories: string[], severity = 'Severe'): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${identifier}</identifier><sender>w@dot.example</sender>` +
    `<sent>2026-12-01T10:00:00-00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>` +
    `<info>${categories.map((c) => `<category>${c}</category>`).join('')}<event>Event ${identifier}</event><urgency>Immediate</urgency><severity>${severity}</severity><certainty>Observed</certainty>` +
    `<expires>2026-12-01T20:00:00-00:00</expires><headline>Headline ${identifier}</headline>` +
    `<area><areaDesc>Valley</areaDesc><circle>38.5,-120.0 10</circle></area></info>` +
    `<info><language>es-US</language><category>Met</category><event>Second ${identifier}</event><urgency>Immediate</urgency><severity>${severity}</severity><certainty>Observed</certainty>` +
    `<headline>Segundo ${identifier}</headline><area><areaDesc>Valle</areaDesc><circle>38.5,-120.0 10</circle></area></info></alert>`
  );
}

for (const kind of STORES) {
  describe(`alert categories a user can turn off (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const subs = new Map<string, SinkSubscription>();

    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const user = async (id: string, preferences?: Record<string, boolean>) => {
      const res = await call('PUT', `/users/${id}`, { language: 'en-US', location: INSIDE });
      assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.body));
      const s = sink.subscribe();
      const reg = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: id }) });
      assert.equal(reg.status, 201, JSON.stringify(reg.body));
      subs.set(id, s);
      if (preferences) assert.equal((await call('PUT', `/users/${id}/preferences`, preferences)).status, 200);
    };
    /** Posts the alert, waits for its fan-out; who got it, its category and its counts. */
    const send = async (xml: string) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/alerts`, { key: app.secretKey, body: xml, headers: { 'content-type': 'application/cap+xml' } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const status = await c.waitCompleted(app.id, app.secretKey, res.body.notification.id);
      const reached = [...subs].filter(([, s]) => sink.receivedFor(s.id).some((r) => (r.json as any)?.notification?.data?.id === res.body.notification.id)).map(([id]) => id);
      return { reached: reached.sort(), category: status.preferenceCategory, delivered: status.counts.delivered, suppressed: status.suppressed };
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 2 }, { now: () => NOW });
      sink = await startPushSink({ now: () => Math.floor(NOW / 1000) });
      app = await c.createApp();
      assert.equal((await call('PATCH', '', { categories: ['weather', 'traffic'] })).status, 200);
      await user('ana');
      await user('bob', { civic: false });
      await user('cat', { traffic: false });
      // A campaign now would be held: quiet hours from 09:00 to 12:00 in the app's zone (UTC), and one send a day.
      const policy = await call('PATCH', '/campaign-settings', { timezone: 'UTC', quietHours: { start: '09:00', end: '12:00' }, capRules: [{ max: 1, window: '24h' }] });
      assert.equal(policy.status, 200, JSON.stringify(policy.body));
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a bad map is refused, pointing at its member, and nothing is stored', async () => {
      const refused = [
        [{ categories: { Weather: 'weather' } }, 'invalid_request'],
        [{ categories: { Met: 'Weather!' } }, 'invalid_request'],
        [{ publicPage: false, categories: { Met: 'weather', Transport: 'roads' } }, 'unknown_category', '#/categories/Transport'],
        [{ categories: { Met: 'promotions' } }, 'unknown_category', '#/categories/Met'],
        [{ categories: { Security: 'security' } }, 'unknown_category', '#/categories/Security'],
      ] as const;
      for (const [body, code, pointer] of refused) {
        const res = await call('PUT', '/alert-settings', body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
        assert.equal(res.body.code, code, JSON.stringify(res.body));
        if (pointer) assert.deepEqual(res.body.errors.map((e: any) => e.pointer), [pointer]);
      }
      assert.deepEqual((await call('GET', '/alert-settings')).body, { publicPage: true, apnsCriticalAlerts: false, categories: {} });
    });

    test('with no map, an alert goes in civic: the user who turned civic off is not reached', async () => {
      assert.deepEqual(await send(alertXml('ROAD-0', ['Transport'])), { reached: ['ana', 'cat'], category: 'civic', delivered: 2, suppressed: { preference_off: 1 } });
    });

    test('mapped, a road closure reaches everyone but the user who turned traffic off, and a storm warning reaches everyone', async () => {
      const set = await call('PUT', '/alert-settings', { categories: { Met: 'weather', Transport: 'traffic' } });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.deepEqual(set.body.categories, { Met: 'weather', Transport: 'traffic' });
      assert.deepEqual((await call('GET', '/alert-settings')).body, { publicPage: true, apnsCriticalAlerts: false, categories: { Met: 'weather', Transport: 'traffic' } });

      // Quiet hours and the cap of one a day hold none of these: ana and cat already had ROAD-0.
      assert.deepEqual(await send(alertXml('ROAD-1', ['Transport'])), { reached: ['ana', 'bob'], category: 'traffic', delivered: 2, suppressed: { preference_off: 1 } });
      assert.deepEqual(await send(alertXml('STORM-1', ['Met'])), { reached: ['ana', 'bob', 'cat'], category: 'weather', delivered: 3, suppressed: {} });
    });

    test('a Cancel goes in the category of the alert it ends: whoever turned traffic off gets neither', async () => {
      const cancel =
        `<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>ROAD-1-END</identifier><sender>w@dot.example</sender>` +
        `<sent>2026-12-01T10:04:00-00:00</sent><status>Actual</status><msgType>Cancel</msgType><scope>Public</scope>` +
        `<references>w@dot.example,ROAD-1,2026-12-01T10:00:00-00:00</references></alert>`;
      const ended = await send(cancel);
      assert.deepEqual(ended, { reached: ['ana', 'bob'], category: 'traffic', delivered: 2, suppressed: { preference_off: 1 } });
    });

    test('the first <category> of the first <info> that the map names decides; one it names not goes in civic', async () => {
      // Other is not in the map, Transport is; the second <info> (Met) is not looked at.
      assert.deepEqual((await send(alertXml('ROAD-2', ['Other', 'Transport', 'Met']))).category, 'traffic');
      assert.deepEqual(await send(alertXml('QUAKE-1', ['Geo'])), { reached: ['ana', 'cat'], category: 'civic', delivered: 2, suppressed: { preference_off: 1 } });
    });

    test('an Extreme alert reaches them all, whatever its category', async () => {
      assert.deepEqual(await send(alertXml('ROAD-X', ['Transport'], 'Extreme')), { reached: ['ana', 'bob', 'cat'], category: null, delivered: 3, suppressed: {} });
    });

    test('no send of an alert counts against the frequency caps, in civic, in a mapped category or with none', async () => {
      const sent = await c.ctx.store.db.selectFrom('send_records').select(['category', 'counts_for_caps']).where('app_id', '=', app.id).where('reason', '=', 'sent').execute();
      assert.deepEqual([...new Set(sent.map((r) => r.category ?? 'none'))].sort(), ['civic', 'none', 'traffic', 'weather']);
      assert.deepEqual(sent.filter((r) => Number(r.counts_for_caps) !== 0), [], 'the caps count none of them');
    });

    test('a category the app stopped declaring sends in civic again; {} clears the map', async () => {
      assert.equal((await call('PATCH', '', { categories: ['weather'] })).status, 200);
      assert.equal((await send(alertXml('ROAD-3', ['Transport']))).category, 'civic');
      assert.deepEqual((await call('PUT', '/alert-settings', { categories: {} })).body.categories, {});
      assert.equal((await send(alertXml('STORM-2', ['Met']))).category, 'civic');
    });
  });
}
