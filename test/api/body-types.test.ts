import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';

/**
 * A JSON body carries its own types: a wrong one is refused with a pointer to the field
 * (RFC 9457 §3, RFC 6901), never coerced. Query strings are text and are read as numbers
 * where the schema says so. Validation happens in the HTTP layer, the same on every store.
 */
describe('request bodies are not coerced; every validation error points at its field', () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  const count = async () => (await c.ctx.store.db.selectFrom('notifications').select('id').where('app_id', '=', app.id).execute()).length;
  const send = (body: unknown) => c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body });

  before(async () => {
    c = await startCarillon('sqlite');
    app = await c.createApp();
  });
  after(() => c.stop());

  test('a wrong type in a notification is a 400 with the pointer, and nothing is stored', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ to: { all: true }, title: 't', ttl: null }, '#/ttl'],
      [{ to: { all: true }, title: 't', ttl: '60' }, '#/ttl'],
      [{ to: { all: true }, title: 123 }, '#/title'],
      [{ to: { all: 'true' }, title: 't' }, '#/to/all'],
      [{ to: { userIds: 'u1' }, title: 't' }, '#/to/userIds'],
      [{ to: { all: true }, title: 't', silent: 'false' }, '#/silent'],
      [{ to: { all: true }, title: 't', actions: { action: 'a', title: 'A' } }, '#/actions'],
      [{ to: { all: true }, title: 't', fcm: { data: { 'a/b~c': 1 } } }, '#/fcm/data/a~1b~0c'],
      [{ to: { all: true } }, '#/title'],
      [{ to: { all: true }, title: 't', colour: 'red' }, '#/colour'],
      [{ to: {}, title: 't' }, '#/to'],
    ];
    const before = await count();
    for (const [body, pointer] of cases) {
      const res = await send(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.body.code, 'invalid_request');
      assert.equal(res.body.errors.length, 1, JSON.stringify(res.body));
      assert.equal(res.body.errors[0].pointer, pointer, JSON.stringify(res.body));
      assert.equal(typeof res.body.errors[0].detail, 'string');
    }
    assert.equal(await count(), before);
  });

  test('notification links and images must be https, http or a path on the site', async () => {
    const before = await count();
    const bad = ['javascript:alert(document.cookie)', 'JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'file:///etc/passwd', ' https://shop.example/', '//evil.example/x', 'vbscript:x', 'https://shop.example/a b'];
    const fields: [(v: string) => Record<string, unknown>, string][] = [
      [(v) => ({ url: v }), '#/url'],
      [(v) => ({ icon: v }), '#/icon'],
      [(v) => ({ image: v }), '#/image'],
      [(v) => ({ badge: v }), '#/badge'],
      [(v) => ({ actions: [{ action: 'a', title: 'A', url: 'https://shop.example/a' }, { action: 'b', title: 'B', url: v }] }), '#/actions/1/url'],
      [(v) => ({ actions: [{ action: 'a', title: 'A', icon: v }] }), '#/actions/0/icon'],
    ];
    for (const [field, pointer] of fields) {
      for (const value of bad) {
        const res = await send({ to: { all: true }, title: 't', ...field(value) });
        assert.equal(res.status, 400, `${pointer} ${value}`);
        assert.equal(res.body.code, 'invalid_request');
        assert.equal(res.body.errors[0].pointer, pointer);
        assert.match(res.body.detail, /https: \(or http:\) URL/);
      }
    }
    assert.equal(await count(), before);
    for (const good of ['https://shop.example/orders/1', 'HTTPS://shop.example/x', 'http://localhost:3000/dev', '/orders/1001']) {
      const res = await send({ to: { all: true }, title: 't', url: good, icon: good, image: good, badge: good, actions: [{ action: 'a', title: 'A', url: good, icon: good }] });
      assert.equal(res.status, 202, `${good} ${JSON.stringify(res.body)}`);
    }
  });

  test('identityVerification: null is refused and the check stays on', async () => {
    const res = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { identityVerification: null } });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].pointer, '#/identityVerification');
    const got = await c.api('GET', `/v1/apps/${app.id}`, { key: app.secretKey });
    assert.equal(got.body.identityVerification, true);
  });

  test('errors raised by a channel carry a pointer too', async () => {
    const res = await send({ to: { all: true }, title: 't', data: { from: 'me' } });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].pointer, '#/data/from');
    const sub = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: { channel: 'fcm' } });
    assert.equal(sub.body.errors[0].pointer, '#/token');
  });

  test('query strings are still read as numbers; what does not read is named as a parameter', async () => {
    const ok = await c.api('GET', `/v1/apps/${app.id}/subscriptions?limit=3`, { key: app.secretKey });
    assert.equal(ok.status, 200);
    for (const limit of ['abc', '0x10', '3.5', '']) {
      const res = await c.api('GET', `/v1/apps/${app.id}/subscriptions?limit=${limit}`, { key: app.secretKey });
      assert.equal(res.status, 400, limit);
      assert.equal(res.body.code, 'invalid_request');
      assert.equal(res.body.errors[0].parameter, 'limit');
      assert.equal(res.body.errors[0].pointer, undefined, 'a pointer is into the body only');
    }
  });
});
