/**
 * Route schemas are compiled on first use (src/http/lazy-schemas.ts), so a schema that
 * Ajv or fast-json-stringify cannot compile would no longer stop the start: it would fail
 * its route's first request. Here every route of the API has its validators and
 * serializers compiled, as the start used to, and none may fail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileDeferredSchemas } from '../../src/http/lazy-schemas.ts';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';

describe('route schemas', () => {
  let c: TestCarillon;
  before(async () => {
    c = await startCarillon('sqlite', { pushService: true });
  });
  after(() => c.stop());

  test('every validator and serializer of every route compiles', async () => {
    const doc = (await c.api('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const answers = Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => Object.keys(op.responses)));
    const compiled = compileDeferredSchemas(c.app);
    // At least one serializer per documented answer, besides the validators.
    assert.ok(compiled > answers.length, `${compiled} compiled for ${answers.length} documented answers`);
  });

  test('a request validated on its route\'s first use is refused as before, with the pointer', async () => {
    const fresh = await startCarillon('sqlite');
    try {
      const res = await fresh.api('POST', '/v1/apps', { key: fresh.adminKey, body: { name: 7 } });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'invalid_request');
      assert.equal(res.body.errors[0].pointer, '#/name');
    } finally {
      await fresh.stop();
    }
  });
});
