import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';

/** What the JSON parser refuses before anything reads the body. HTTP-layer: the same on every store. */
describe('request bodies: depth, Unicode and idempotency', () => {
  let c: TestCarillon;
  let app: Awaited<ReturnType<TestCarillon['createApp']>>;
  const raw = (payload: string | Buffer, headers: Record<string, string> = {}) =>
    c.app.inject({ method: 'POST', url: `/v1/apps/${app.id}/notifications`, headers: { authorization: `Bearer ${app.secretKey}`, 'content-type': 'application/json', ...headers }, payload });
  const count = async () => (await c.ctx.store.db.selectFrom('notifications').select('id').where('app_id', '=', app.id).execute()).length;

  before(async () => {
    c = await startCarillon('sqlite');
    app = await c.createApp();
  });
  after(() => c.stop());

  test('a body nested 5,000 deep is a 400 json_too_deep, not a 500; 32 levels are accepted', async () => {
    const deep = `{"to":{"all":true},"title":"t","data":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const res = await raw(deep, { 'idempotency-key': 'deep-1' });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().code, 'json_too_deep');
    assert.equal(res.json().maxDepth, 32);
    // The body is level 1, data 2: 30 arrays in x reach 32.
    const fits = await raw(`{"to":{"all":true},"title":"t","data":{"x":${'['.repeat(30)}${']'.repeat(30)}}}`);
    assert.equal(fits.statusCode, 202, fits.body);
    const over = await raw(`{"to":{"all":true},"title":"t","data":{"x":${'['.repeat(31)}${']'.repeat(31)}}}`);
    assert.equal(over.json().code, 'json_too_deep');
    // Brackets inside strings are text, not nesting.
    const text = await raw(JSON.stringify({ to: { all: true }, title: '['.repeat(100) + '"\\{' }));
    assert.equal(text.statusCode, 202, text.body);
  });

  test('the same body with its members reordered, under one Idempotency-Key, is the same request', async () => {
    const a = await raw('{"to":{"all":true},"title":"Sale","data":{"a":1,"b":2}}', { 'idempotency-key': 'reorder-1' });
    const b = await raw('{"data":{"b":2,"a":1},"title":"Sale","to":{"all":true}}', { 'idempotency-key': 'reorder-1' });
    assert.equal(a.statusCode, 202);
    assert.equal(b.statusCode, 202, b.body);
    assert.equal(b.json().id, a.json().id);
    assert.equal(b.headers['idempotent-replayed'], 'true');
    const other = await raw('{"data":{"b":2,"a":3},"title":"Sale","to":{"all":true}}', { 'idempotency-key': 'reorder-1' });
    assert.equal(other.statusCode, 422);
  });

  test('lone surrogates and bytes that are not UTF-8 are refused, not stored changed', async () => {
    const before = await count();
    const cases: [string | Buffer, string | undefined][] = [
      ['{"to":{"all":true},"title":"a\\ud800b"}', '#/title'],
      ['{"to":{"all":true},"title":"t","data":{"k":["ok","\\udc00"]}}', '#/data/k/1'],
      ['{"to":{"all":true},"title":"t","data":{"\\ud83d":1}}', '#/data/%EF%BF%BD'],
      [Buffer.concat([Buffer.from('{"to":{"all":true},"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), undefined],
    ];
    for (const [payload, pointer] of cases) {
      const res = await raw(payload);
      assert.equal(res.statusCode, 400, String(payload));
      assert.equal(res.json().code, 'invalid_unicode', String(payload) + res.body);
      if (pointer) assert.equal(res.json().errors[0].pointer, pointer);
    }
    assert.equal(await count(), before);
    const emoji = await raw('{"to":{"all":true},"title":"\\ud83d\\udd14 bell"}');
    assert.equal(emoji.statusCode, 202, 'a surrogate pair is well-formed');
  });

  test('the parser still refuses prototype poisoning', async () => {
    const res = await raw('{"to":{"all":true},"title":"t","__proto__":{"x":1}}');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'invalid_json');
  });
});
