import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';

describe('the server serves the SDK', () => {
  let c: TestCarillon;
  before(async () => {
    c = await startCarillon('sqlite');
  });
  after(() => c.stop());

  test('/sdk/carillon.js: an ES module any site may import, exporting Carillon', async () => {
    const res = await c.app.inject({ method: 'GET', url: '/sdk/carillon.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.headers['access-control-allow-origin'], '*', 'module scripts are fetched with CORS');
    assert.equal(res.headers['cache-control'], 'no-cache');
    const etag = String(res.headers.etag);
    assert.match(etag, /^"[\w-]+"$/);
    const sdk = await import(`data:text/javascript;base64,${Buffer.from(res.body).toString('base64')}`);
    assert.equal(typeof sdk.Carillon.init, 'function');
    assert.equal(typeof sdk.CarillonError, 'function');

    const again = await c.app.inject({ method: 'GET', url: '/sdk/carillon.js', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
  });

  test('/sdk/carillon-sw.js: a classic script that may control a whole origin', async () => {
    const res = await c.app.inject({ method: 'GET', url: '/sdk/carillon-sw.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(res.headers['service-worker-allowed'], '/');
    // importScripts() loads classic scripts only: no top-level import or export.
    assert.doesNotThrow(() => new Function(res.body));
    assert.doesNotMatch(res.body, /^\s*(import|export)\b/m);
  });
});
