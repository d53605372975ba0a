import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

function browserKeys() {
  const ecdh = createECDH('prime256v1');
  return { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

const OPT_IN_ZERO = { prompt_shown: 0, softask_accepted: 0, softask_dismissed: 0, permission_granted: 0, permission_denied: 0, subscribed: 0, unsubscribed: 0 };

for (const kind of STORES) {
  describe(`events and opt-in statistics (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let other: Awaited<ReturnType<TestCarillon['createApp']>>;

    const subscribe = async (a = app) => {
      const res = await c.api('POST', `/v1/apps/${a.id}/subscriptions`, { key: a.publishableKey, body: { channel: 'webpush', endpoint: `https://push.example.net/${randomBytes(8).toString('hex')}`, keys: browserKeys() } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    // Scheduled a day ahead: the events are about it, nothing needs to be delivered.
    const notify = async (subscriptionIds: string[], a = app) => {
      const sendAt = new Date(Date.now() + 86_400_000).toISOString();
      const res = await c.api('POST', `/v1/apps/${a.id}/notifications`, { key: a.secretKey, body: { to: { subscriptionIds }, title: 'Hi', sendAt } });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const post = (events: unknown[], key = app.publishableKey, a = app) => c.api('POST', `/v1/apps/${a.id}/events`, { key, body: { events } });
    const counts = async (id: string) => (await c.api('GET', `/v1/apps/${app.id}/notifications/${id}`, { key: app.secretKey })).body.counts;
    const stats = async (a = app, query = '') => {
      const res = await c.api('GET', `/v1/apps/${a.id}/stats/opt-in${query}`, { key: a.secretKey });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const eventRows = () => c.ctx.store.db.selectFrom('events').selectAll().where('app_id', '=', app.id).execute();

    before(async () => {
      c = await startCarillon(kind);
      app = await c.createApp('shop');
      other = await c.createApp('other');
    });
    after(() => c.stop());

    test('the opt-in funnel: the publishable key reports, the secret key reads the counts and the rate', async () => {
      const fresh = await c.createApp('funnel');
      assert.deepEqual(await stats(fresh), { counts: OPT_IN_ZERO, optInRate: null });
      const steps = ['prompt_shown', 'softask_dismissed', 'prompt_shown', 'softask_accepted', 'permission_granted', 'subscribed', 'prompt_shown', 'permission_denied', 'unsubscribed'];
      const res = await post(steps.map((type) => ({ type })), fresh.publishableKey, fresh);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { accepted: 9, duplicates: 0, ignored: 0 });
      const got = await stats(fresh);
      assert.deepEqual(got.counts, { prompt_shown: 3, softask_accepted: 1, softask_dismissed: 1, permission_granted: 1, permission_denied: 1, subscribed: 1, unsubscribed: 1 });
      assert.equal(got.optInRate, 1 / 3);

      const forbidden = await c.api('GET', `/v1/apps/${fresh.id}/stats/opt-in`, { key: fresh.publishableKey });
      assert.equal(forbidden.status, 403);
      assert.equal(forbidden.body.code, 'forbidden');
      const otherApp = await post([{ type: 'prompt_shown' }], fresh.publishableKey, app);
      assert.equal(otherApp.status, 403, 'a key reports only for its own app');
    });

    test('a retried report counts once: opt-in events by their id, notification events by what they say', async () => {
      const sub = await subscribe();
      const ntf = await notify([sub]);
      const batch = [
        { type: 'prompt_shown', id: 'evt-0001-retry' },
        { type: 'displayed', notificationId: ntf, subscriptionId: sub, at: new Date().toISOString() },
        { type: 'clicked', notificationId: ntf, subscriptionId: sub, action: 'track' },
      ];
      assert.deepEqual((await post(batch)).body, { accepted: 3, duplicates: 0, ignored: 0 });
      // The same report again, e.g. after its answer was lost; the worker's own event ids differ.
      assert.deepEqual((await post(batch.map((e) => (e.type === 'prompt_shown' ? e : { ...e, id: `other-${e.type}` })))).body, { accepted: 0, duplicates: 3, ignored: 0 });
      // Clicked counts once per action: a second button is a new event; the same recipient still one clicker.
      assert.deepEqual((await post([{ type: 'clicked', notificationId: ntf, subscriptionId: sub }, { type: 'dismissed', notificationId: ntf, subscriptionId: sub }])).body, { accepted: 2, duplicates: 0, ignored: 0 });
      const rows = (await eventRows()).filter((r) => r.notification_id === ntf);
      assert.deepEqual(rows.map((r) => [r.type, r.action]).sort(), [['clicked', null], ['clicked', 'track'], ['dismissed', null], ['displayed', null]]);

      const second = await subscribe();
      await post([{ type: 'displayed', notificationId: ntf, subscriptionId: second }]);
      const got = await counts(ntf);
      assert.deepEqual([got.displayed, got.clicked, got.dismissed], [2, 1, 1]);
    });

    test('events about a notification or subscription the app does not have are ignored, not refused', async () => {
      const sub = await subscribe();
      const ntf = await notify([sub]);
      const otherSub = await subscribe(other);
      const otherNtf = await notify([otherSub], other);
      const res = await post([
        { type: 'displayed', notificationId: otherNtf, subscriptionId: sub },
        { type: 'displayed', notificationId: ntf, subscriptionId: otherSub },
        { type: 'displayed', notificationId: 'ntf_unknown', subscriptionId: sub },
        { type: 'clicked', notificationId: ntf, subscriptionId: 'sub_gone' },
        { type: 'displayed', notificationId: ntf, subscriptionId: sub },
      ]);
      assert.deepEqual(res.body, { accepted: 1, duplicates: 0, ignored: 4 });
      assert.equal((await counts(ntf)).displayed, 1);
      const otherCounts = (await c.api('GET', `/v1/apps/${other.id}/notifications/${otherNtf}`, { key: other.secretKey })).body.counts;
      assert.equal(otherCounts.displayed, 0);
    });

    test('a report that breaks the rules is refused whole, with the index of the event at fault', async () => {
      const before = (await eventRows()).length;
      const sub = await subscribe();
      const ntf = await notify([sub]);
      const cases: [unknown[], string, RegExp][] = [
        [[{ type: 'prompt_shown' }, { type: 'displayed', subscriptionId: sub }], 'invalid_event', /events\[1\] \(displayed\): notificationId is required/],
        [[{ type: 'dismissed', notificationId: ntf }], 'invalid_event', /subscriptionId is required/],
        [[{ type: 'displayed', notificationId: ntf, subscriptionId: sub, action: 'x' }], 'invalid_event', /action is only for clicked/],
        [[{ type: 'prompt_shown', notificationId: ntf }], 'invalid_event', /notificationId is only for/],
        [[{ type: 'opened' }], 'invalid_request', /type/],
        [[{ type: 'prompt_shown', extra: 1 }], 'invalid_request', /events\.0\.extra is not a member/],
        [[{ type: 'prompt_shown', id: 'short' }], 'invalid_request', /id/],
        [[{ type: 'prompt_shown', at: 'yesterday' }], 'invalid_request', /at/],
        [[], 'invalid_request', /events/],
        [Array.from({ length: 101 }, () => ({ type: 'prompt_shown' })), 'invalid_request', /events/],
      ];
      for (const [events, code, detail] of cases) {
        const res = await post(events);
        assert.equal(res.status, 400, JSON.stringify(events).slice(0, 200));
        assert.equal(res.body.code, code, JSON.stringify(res.body));
        assert.match(res.body.detail, detail);
        if (code === 'invalid_event') assert.equal(typeof res.body.index, 'number');
      }
      assert.equal((await eventRows()).length, before);
    });

    test('the time of an event is the browser’s, never later than the server’s; stats filter on it', async () => {
      const fresh = await c.createApp('times');
      const now = Date.now();
      await post(
        [
          { type: 'prompt_shown', at: new Date(now - 10 * 86_400_000).toISOString() },
          { type: 'prompt_shown', at: new Date(now - 86_400_000).toISOString() },
          { type: 'permission_granted', at: new Date(now + 30 * 86_400_000).toISOString() },
        ],
        fresh.publishableKey,
        fresh,
      );
      const rows = await c.ctx.store.db.selectFrom('events').select(['type', 'at', 'received_at']).where('app_id', '=', fresh.id).execute();
      const granted = rows.find((r) => r.type === 'permission_granted')!;
      assert.ok(granted.at <= granted.received_at, 'a clock ahead does not put the event in the future');
      const from = encodeURIComponent(new Date(now - 2 * 86_400_000).toISOString());
      const recent = await stats(fresh, `?from=${from}`);
      assert.equal(recent.counts.prompt_shown, 1);
      assert.equal(recent.optInRate, 1);
      assert.equal((await stats(fresh)).counts.prompt_shown, 2);
    });

    test('CORS: browsers may call the publishable-key routes from any origin, and nothing else', async () => {
      const sub = await subscribe();
      const preflights: [string, string][] = [
        [`/v1/apps/${app.id}/events`, 'POST'],
        [`/v1/apps/${app.id}/subscriptions`, 'POST'],
        [`/v1/apps/${app.id}/subscriptions/${sub}`, 'DELETE'],
        [`/v1/apps/${app.id}`, 'GET'],
      ];
      const ask = { origin: 'https://shop.example', 'access-control-request-headers': 'authorization, content-type' };
      for (const [url, method] of preflights) {
        const res = await c.api('OPTIONS', url, { headers: { ...ask, 'access-control-request-method': method } });
        assert.equal(res.status, 204, url);
        assert.equal(res.headers['access-control-allow-origin'], '*');
        assert.equal(res.headers['access-control-allow-methods'], method);
        assert.match(String(res.headers['access-control-allow-headers']), /authorization, content-type/);
      }
      const secretOnly = await c.api('OPTIONS', `/v1/apps/${app.id}/notifications`, { headers: { ...ask, 'access-control-request-method': 'POST' } });
      assert.equal(secretOnly.status, 405, 'no preflight route: the path answers the secret key’s GET and POST only');
      assert.equal(secretOnly.headers.allow, 'GET, HEAD, POST');
      assert.equal(secretOnly.headers['access-control-allow-origin'], undefined);

      const ok = await post([{ type: 'prompt_shown' }]);
      assert.equal(ok.headers['access-control-allow-origin'], '*');
      // Errors are readable by the page too, so the SDK can show the code.
      const denied = await post([{ type: 'prompt_shown' }], 'crl_pk_wrong');
      assert.equal(denied.status, 401);
      assert.equal(denied.headers['access-control-allow-origin'], '*');
      const invalid = await post([{ type: 'nope' }]);
      assert.equal(invalid.headers['access-control-allow-origin'], '*');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}`, { key: app.publishableKey })).headers['access-control-allow-origin'], '*');
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/subscriptions/${sub}`, { key: app.publishableKey })).headers['access-control-allow-origin'], '*');

      for (const url of [`/v1/apps/${app.id}/subscriptions`, `/v1/apps/${app.id}/stats/opt-in`]) {
        const res = await c.api('GET', url, { key: app.secretKey });
        assert.equal(res.status, 200, url);
        assert.equal(res.headers['access-control-allow-origin'], undefined, url);
      }
    });
  });
}
