import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { openSocket, readUntilClosed } from './raw-http.ts';

/**
 * Slow and greedy clients, over a real socket. The timeouts are the server's own timers
 * (Node's request and headers timeouts), set short here so the test runs in well under a
 * second; the defaults are in src/config/defaults.ts.
 */
describe('slow clients are cut off; connections are limited', () => {
  let c: TestCarillon;
  let port: number;

  before(async () => {
    c = await startCarillon('sqlite', { httpRequestTimeout: 300, httpHeadersTimeout: 200, httpTimeoutCheckInterval: 50, httpMaxConnections: 3 });
    await c.app.listen({ host: '127.0.0.1', port: 0 });
    port = (c.app.server.address() as { port: number }).port;
  });
  after(() => c.stop());

  test('a body trickled a byte at a time is answered 408 request_timeout and the connection closed', async () => {
    const socket = await openSocket(port);
    const reading = readUntilClosed(socket, 3_000);
    socket.write(`POST /v1/apps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${c.adminKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    const trickle = setInterval(() => socket.writable && socket.write(' '), 20);
    const { answer, closed } = await reading;
    clearInterval(trickle);
    assert.ok(closed, 'the server closed the connection');
    assert.equal(answer.status, 408, answer.raw.slice(0, 200));
    assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(JSON.parse(answer.body).code, 'request_timeout');
  });

  test('without a key, a trickled body is answered 401 at once, and the connection closed by the request timeout', async () => {
    const socket = await openSocket(port);
    const reading = readUntilClosed(socket, 3_000);
    socket.write('POST /v1/apps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const { answer, closed } = await reading;
    assert.ok(closed);
    assert.equal(answer.status, 401);
  });

  test('a connection that never sends its headers is closed', async () => {
    const socket = await openSocket(port);
    const reading = readUntilClosed(socket, 3_000);
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const { closed, answer } = await reading;
    assert.ok(closed);
    assert.equal(answer.status, 408);
  });

  test('connections past httpMaxConnections are closed at once; the others are served', async () => {
    const held = await Promise.all([openSocket(port), openSocket(port), openSocket(port)]);
    try {
      // Let the server accept all three before the fourth arrives.
      await new Promise((r) => setImmediate(r));
      const extra = await openSocket(port);
      const { closed, answer } = await readUntilClosed(extra, 2_000);
      assert.ok(closed, 'the fourth connection is closed');
      assert.equal(answer.raw, '', 'without an answer');
      const served = readUntilClosed(held[0]!, 2_000);
      held[0]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      assert.equal((await served).answer.status, 200);
    } finally {
      for (const s of held) s.destroy();
    }
  });
});
