import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { rawRequest, type RawAnswer } from './raw-http.ts';

/**
 * What Node or the router answers before any route runs, over a real listening socket:
 * problem+json with a catalogue code, like every other error.
 */
describe('errors outside the routes are problem+json (real socket)', () => {
  let c: TestCarillon;
  let port: number;

  before(async () => {
    c = await startCarillon('sqlite');
    await c.app.listen({ host: '127.0.0.1', port: 0 });
    port = (c.app.server.address() as { port: number }).port;
  });
  after(() => c.stop());

  const problem = (a: RawAnswer, status: number, code: string) => {
    assert.equal(a.status, status, a.raw.slice(0, 300));
    assert.match(a.headers['content-type'] ?? '', /^application\/problem\+json/);
    const body = JSON.parse(Buffer.from(a.body, 'latin1').toString('utf8'));
    assert.equal(body.code, code);
    assert.equal(body.status, status);
    assert.equal(body.type, `/docs/errors#${code}`);
    assert.equal(Number(a.headers['content-length']), Buffer.from(a.body, 'latin1').length);
    assert.equal(a.headers.connection, 'close');
  };

  test('431: headers larger than Node reads', async () => {
    problem(await rawRequest(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'headers_too_large');
  });

  test('414: a request target too long, over or under Node’s header limit', async () => {
    problem(await rawRequest(port, `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 414, 'uri_too_long');
    problem(await rawRequest(port, `GET /healthz?q=${'a'.repeat(9_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 414, 'uri_too_long');
  });

  test('400: malformed HTTP', async () => {
    problem(await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n'), 400, 'malformed_request');
    problem(await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n'), 400, 'malformed_request');
    problem(await rawRequest(port, 'POST /v1/apps HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'), 400, 'malformed_request');
  });

  test('400: a percent-encoding that is not UTF-8', async () => {
    problem(await rawRequest(port, 'GET /v1/apps/%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'), 400, 'invalid_url');
  });

  test('a well-formed request on the same server is answered as usual', async () => {
    const ok = await rawRequest(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.equal(ok.status, 200);
  });
});
