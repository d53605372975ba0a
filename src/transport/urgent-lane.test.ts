import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { PushTransport } from './push-transport.ts';

/**
 * The urgent lane of the transport: with the origin's one ordinary slot held (and more
 * requests queued behind it), an urgent request goes out at once over a connection of its
 * own; without the lane it would wait its turn.
 */
test('an urgent request is not queued behind the ordinary requests to its origin', async (t) => {
  const held: ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => (req.url === '/urgent' ? res.writeHead(201).end() : held.push(res)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const transport = new PushTransport({ allowPrivate: true, maxConcurrencyPerOrigin: 1, connectionsPerOrigin: 4, requestTimeoutMs: 10_000, urgentConcurrencyPerOrigin: 2 });
  t.after(async () => {
    server.closeAllConnections();
    server.close();
  });
  const send = (path: string, urgent = false) => transport.send({ url: `${origin}${path}`, headers: { ttl: '60' }, body: new Uint8Array(1), ...(urgent ? { urgent } : {}) });
  const ordinary = [send('/b1'), send('/b2'), send('/b3')];
  while (held.length < 1) await new Promise((r) => setTimeout(r, 5));
  assert.equal(transport.stats().queued, 2, 'two ordinary requests wait for the one slot');
  const urgent = await send('/urgent', true);
  assert.equal(urgent.status, 201);
  assert.equal(held.length, 1, 'the ordinary slot is still held');
  // Let the ordinary ones through, one at a time.
  const release = setInterval(() => held.shift()?.writeHead(201).end(), 5);
  assert.deepEqual((await Promise.all(ordinary)).map((r) => r.status), [201, 201, 201]);
  clearInterval(release);
  await transport.close();
});
