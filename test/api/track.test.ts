import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const DAY = 86_400_000;

for (const kind of STORES) {
  describe(`POST /track (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const track = (body: unknown, key = app.secretKey) => c.api('POST', `/v1/apps/${app.id}/track`, { key, body });
    const eventsOf = async (externalId: string) => {
      const user = await c.ctx.store.db.selectFrom('users').select('seq').where('app_id', '=', app.id).where('external_id', '=', externalId).executeTakeFirst();
      if (!user) return [];
      return c.ctx.store.db.selectFrom('user_events').select(['name', 'at', 'properties', 'event_id']).where('user_seq', '=', user.seq).orderBy('seq').execute();
    };

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => NOW });
      app = await c.createApp();
    });
    after(() => c.stop());

    test('stores events, creates the users it does not know, and reads time and properties as sent', async () => {
      const res = await track({
        events: [
          { userId: 'ada', name: 'viewed_item', properties: { sku: 'A-1', price: 12.5, onSale: true, coupon: null }, time: '2026-06-01T11:00:00+01:00' },
          { userId: 'grace', name: 'checkout.started' },
        ],
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { accepted: 2, duplicates: 0, refused: [] });
      const users = await c.ctx.store.db.selectFrom('users').select(['external_id', 'created_at']).where('app_id', '=', app.id).where('external_id', 'in', ['ada', 'grace']).orderBy('external_id').execute();
      assert.deepEqual(users.map((u) => [u.external_id, Number(u.created_at)]), [['ada', NOW], ['grace', NOW]]);
      const [viewed] = await eventsOf('ada');
      assert.equal(viewed!.name, 'viewed_item');
      assert.equal(Number(viewed!.at), Date.parse('2026-06-01T10:00:00Z'));
      assert.deepEqual(JSON.parse(viewed!.properties), { sku: 'A-1', price: 12.5, onSale: true, coupon: null });
      const [started] = await eventsOf('grace');
      assert.equal(Number(started!.at), NOW, 'no time: now');
    });

    test('an event whose id is stored counts once, whether sent before or twice in one request', async () => {
      const first = await track({ events: [{ userId: 'dup', name: 'purchased', id: 'order-1' }] });
      assert.deepEqual(first.body, { accepted: 1, duplicates: 0, refused: [] });
      const again = await track({
        events: [
          { userId: 'dup', name: 'purchased', id: 'order-1' },
          { userId: 'dup', name: 'purchased', id: 'order-2' },
          { userId: 'dup', name: 'purchased', id: 'order-2' },
          { userId: 'dup', name: 'viewed_item' },
          { userId: 'dup', name: 'viewed_item' },
        ],
      });
      assert.deepEqual(again.body, { accepted: 3, duplicates: 2, refused: [] }, 'events without an id are never deduped');
      const stored = await eventsOf('dup');
      assert.deepEqual(stored.map((e) => e.event_id), ['order-1', 'order-2', null, null]);
    });

    test('a bad event is refused alone, with its index, its code and a pointer to the field; the rest are stored', async () => {
      const long = 'x'.repeat(1_025);
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, i]));
      const big = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`p${i}`, 'y'.repeat(1_000)]));
      const bad = [
        { userId: '', name: 'ok' },
        { userId: 'u'.repeat(257), name: 'ok' },
        { userId: 'limits', name: '1starts_with_a_digit' },
        { userId: 'limits', name: 'n'.repeat(65) },
        { userId: 'limits', name: 'has space' },
        { userId: 'limits', name: 'ok', id: '' },
        { userId: 'limits', name: 'ok', id: 'not/ok' },
        { userId: 'limits', name: 'ok', time: '2026-06-01 12:00:00' },
        { userId: 'limits', name: 'ok', time: '2026-02-30T12:00:00Z' },
        { userId: 'limits', name: 'ok', time: '2026-06-01T12:05:01Z' },
        { userId: 'limits', name: 'ok', time: new Date(NOW - 90 * DAY - 1).toISOString() },
        { userId: 'limits', name: 'ok', properties: { 'has-dash': 1 } },
        { userId: 'limits', name: 'ok', properties: { nested: { a: 1 } } },
        { userId: 'limits', name: 'ok', properties: { list: [1] } },
        { userId: 'limits', name: 'ok', properties: { title: long } },
        { userId: 'limits', name: 'ok', properties: many },
        { userId: 'limits', name: 'ok', properties: big },
      ];
      const good = [
        { userId: 'limits', name: 'n'.repeat(64), properties: { title: 'x'.repeat(1_024) } },
        { userId: 'limits', name: 'ok', time: '2026-06-01T12:04:59Z', properties: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`p${i}`, i])) },
        { userId: 'limits', name: 'ok', time: new Date(NOW - 90 * DAY + 1).toISOString() },
      ];
      const res = await track({ events: [...bad, ...good] });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.refused, [
        { index: 0, code: 'invalid_event_user', pointer: '#/events/0/userId' },
        { index: 1, code: 'invalid_event_user', pointer: '#/events/1/userId' },
        { index: 2, code: 'invalid_event_name', pointer: '#/events/2/name' },
        { index: 3, code: 'invalid_event_name', pointer: '#/events/3/name' },
        { index: 4, code: 'invalid_event_name', pointer: '#/events/4/name' },
        { index: 5, code: 'invalid_event_id', pointer: '#/events/5/id' },
        { index: 6, code: 'invalid_event_id', pointer: '#/events/6/id' },
        { index: 7, code: 'invalid_event_time', pointer: '#/events/7/time' },
        { index: 8, code: 'invalid_event_time', pointer: '#/events/8/time' },
        { index: 9, code: 'event_in_future', pointer: '#/events/9/time' },
        { index: 10, code: 'event_expired', pointer: '#/events/10/time' },
        { index: 11, code: 'invalid_event_property', pointer: '#/events/11/properties/has-dash' },
        { index: 12, code: 'invalid_event_property', pointer: '#/events/12/properties/nested' },
        { index: 13, code: 'invalid_event_property', pointer: '#/events/13/properties/list' },
        { index: 14, code: 'invalid_event_property', pointer: '#/events/14/properties/title' },
        { index: 15, code: 'event_properties_too_large', pointer: '#/events/15/properties' },
        { index: 16, code: 'event_properties_too_large', pointer: '#/events/16/properties' },
      ]);
      assert.equal(res.body.accepted, 3);
      const stored = await eventsOf('limits');
      assert.equal(stored.length, 3);
      assert.equal(Number(stored[1]!.at), NOW, 'a time within the clock skew allowance is stored as now, not in the future');
    });

    test('the whole request is refused when its shape is wrong, and nothing is stored', async () => {
      const before = await eventsOf('shape');
      for (const body of [
        { events: [] },
        { events: Array.from({ length: 1_001 }, () => ({ userId: 'shape', name: 'ok' })) },
        { events: [{ userId: 'shape', name: 'ok' }, { userId: 'shape', name: 42 }] },
        { events: [{ userId: 'shape', name: 'ok', extra: 1 }] },
        { events: [{ userId: 'shape', name: 'ok' }], other: true },
      ]) {
        const res = await track(body);
        assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
        assert.equal(res.body.code, 'invalid_request');
      }
      assert.deepEqual(await eventsOf('shape'), before);
      assert.equal(before.length, 0);
    });

    test('a page of 1,000 events is taken in one request', async () => {
      const events = Array.from({ length: 1_000 }, (_, i) => ({ userId: `bulk-${i % 100}`, name: 'viewed_item', id: `bulk-${i}`, properties: { i, sku: `SKU-${i}` } }));
      const res = await track({ events });
      assert.deepEqual(res.body, { accepted: 1_000, duplicates: 0, refused: [] });
      const users = await c.ctx.store.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', app.id).where('external_id', 'like', 'bulk-%').executeTakeFirstOrThrow();
      assert.equal(Number(users.n), 100);
    });

    test('the publishable key reports only for its own verified user', async () => {
      const pk = app.publishableKey;
      const noProof = await track({ events: [{ userId: 'me', name: 'opened' }] }, pk);
      assert.equal(noProof.status, 403);
      assert.equal(noProof.body.code, 'identity_not_verified');
      const wrongProof = await track({ userIdHash: userIdHash(app, 'someone-else'), events: [{ userId: 'me', name: 'opened' }] }, pk);
      assert.equal(wrongProof.status, 403);
      assert.equal(wrongProof.body.code, 'identity_not_verified');
      assert.deepEqual(await eventsOf('me'), []);

      const res = await track({ userIdHash: userIdHash(app, 'me'), events: [{ userId: 'me', name: 'opened' }, { userId: 'victim', name: 'opened' }, { userId: 'me', name: 'closed' }] }, pk);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { accepted: 2, duplicates: 0, refused: [{ index: 1, code: 'event_user_not_allowed', pointer: '#/events/1/userId' }] });
      assert.equal(res.headers['access-control-allow-origin'], '*', 'a page on the site’s origin can read the answer');
      assert.deepEqual((await eventsOf('me')).map((e) => e.name), ['opened', 'closed']);
      assert.deepEqual(await eventsOf('victim'), []);

      const other = await c.createApp('other');
      const foreign = await c.api('POST', `/v1/apps/${app.id}/track`, { key: other.publishableKey, body: { events: [{ userId: 'me', name: 'opened' }] } });
      assert.equal(foreign.status, 403);
      assert.equal(foreign.body.code, 'forbidden');
    });

    test('the browser preflight admits POST from any origin', async () => {
      const res = await c.api('OPTIONS', `/v1/apps/${app.id}/track`, { headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
      assert.equal(res.status, 204);
      assert.equal(res.headers['access-control-allow-methods'], 'POST');
    });
  });
}

describe('POST /track with the client rate limit on', () => {
  let c: TestCarillon;
  after(() => c.stop());
  test('a browser sending too fast is answered 429 with Retry-After', async () => {
    c = await startCarillon('sqlite', { clientRate: 1, clientBurst: 2 }, { now: () => NOW });
    const app = await c.createApp();
    const body = { userIdHash: userIdHash(app, 'fast'), events: [{ userId: 'fast', name: 'tick' }] };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await c.api('POST', `/v1/apps/${app.id}/track`, { key: app.publishableKey, body })).status);
    assert.deepEqual(statuses.slice(0, 2), [200, 200]);
    assert.equal(statuses[3], 429);
  });
});
