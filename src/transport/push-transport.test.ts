import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { test, type TestContext } from 'node:test';
import { EndpointRejectedError } from './endpoint-rejected-error.ts';
import { PushTransport, type PushTransportOptions } from './push-transport.ts';
import { TransportError } from './transport-error.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

interface TestServer {
  origin: string;
  port: number;
  /** TCP connections accepted so far. */
  connections: () => number;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }>;
}

/** A node:http server on 127.0.0.1 that counts connections and records requests. */
async function httpServer(t: TestContext, handler: Handler): Promise<TestServer> {
  let connections = 0;
  const requests: TestServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.keepAliveTimeout = 60_000; // the client, not the server, decides when to drop
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, port, connections: () => connections, requests };
}

function transport(t: TestContext, overrides: Partial<PushTransportOptions> = {}): PushTransport {
  const pushTransport = new PushTransport({
    allowPrivate: true,
    maxConcurrencyPerOrigin: 16,
    connectionsPerOrigin: 4,
    requestTimeoutMs: 5_000,
    ...overrides,
  });
  t.after(() => pushTransport.close());
  return pushTransport;
}

const payload = (text: string) => ({ headers: { ttl: '60', 'content-encoding': 'aes128gcm' }, body: new TextEncoder().encode(text) });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('expected the request to fail');
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

test('POSTs the body and headers, and returns status, headers and the start of the body', async (t) => {
  const server = await httpServer(t, (req, res, body) => {
    res.writeHead(201, { location: '/m/1', 'x-echo': String(body.length) });
    res.end(req.url === '/big' ? 'é'.repeat(5000) : 'created');
  });
  // One connection: a body left unread would stall or cost the connection.
  const pushTransport = transport(t, { connectionsPerOrigin: 1 });

  const response = await pushTransport.send({ url: `${server.origin}/p/abc?x=1`, ...payload('hello') });
  assert.equal(response.status, 201);
  assert.equal(response.headers.location, '/m/1');
  assert.equal(response.headers['x-echo'], '5');
  assert.equal(response.body, 'created');
  const [received] = server.requests;
  assert.equal(received?.method, 'POST');
  assert.equal(received?.url, '/p/abc?x=1');
  assert.equal(received?.headers.ttl, '60');
  assert.equal(received?.headers['content-encoding'], 'aes128gcm');
  assert.equal(received?.body.toString(), 'hello');

  // 10 KB of body: 2 KB kept, the rest read so that the connection carries on.
  const big = await pushTransport.send({ url: `${server.origin}/big`, ...payload('') });
  assert.equal(Buffer.byteLength(big.body), 2048);
  assert.equal(big.body, 'é'.repeat(1024));
  await pushTransport.send({ url: `${server.origin}/after`, ...payload('') });
  assert.equal(server.connections(), 1);
});

test('reuses connections: 200 requests, sequential and concurrent, over at most connectionsPerOrigin sockets', async (t) => {
  const server = await httpServer(t, (_req, res) => setTimeout(() => res.end('ok'), 1));
  const pushTransport = transport(t, { connectionsPerOrigin: 4, maxConcurrencyPerOrigin: 32 });

  for (let i = 0; i < 100; i++) {
    assert.equal((await pushTransport.send({ url: `${server.origin}/s/${i}`, ...payload('x') })).status, 200);
  }
  const concurrent = await Promise.all(
    Array.from({ length: 100 }, (_, i) => pushTransport.send({ url: `${server.origin}/c/${i}`, ...payload('x') })),
  );
  assert.ok(concurrent.every((r) => r.status === 200));
  assert.equal(server.requests.length, 200);
  assert.ok(server.connections() <= 4, `${server.connections()} connections for 200 requests`);
  assert.deepEqual(pushTransport.stats(), { inFlight: 0, queued: 0, requests: 200 });
});

test('holds at most maxConcurrencyPerOrigin requests in flight per origin; the rest wait in order', async (t) => {
  let current = 0;
  let highest = 0;
  const held: Array<() => void> = [];
  const handler: Handler = (_req, res) => {
    current++;
    highest = Math.max(highest, current);
    held.push(() => {
      current--;
      res.end('ok');
    });
  };
  const busy = await httpServer(t, handler);
  const other = await httpServer(t, (_req, res) => res.end('other'));
  const pushTransport = transport(t, { maxConcurrencyPerOrigin: 3, connectionsPerOrigin: 10 });

  const sends = Array.from({ length: 12 }, (_, i) => pushTransport.send({ url: `${busy.origin}/${i}`, ...payload('x') }));
  await until(() => held.length === 3);
  assert.deepEqual(pushTransport.stats(), { inFlight: 3, queued: 9, requests: 3 });

  // Another origin is not held up by the busy one.
  assert.equal((await pushTransport.send({ url: `${other.origin}/`, ...payload('x') })).body, 'other');
  assert.equal(held.length, 3);

  while (held.length > 0 || busy.requests.length < 12) {
    await until(() => held.length > 0);
    held.shift()!();
  }
  assert.equal((await Promise.all(sends)).length, 12);
  assert.equal(highest, 3);
  assert.ok(busy.connections() <= 3, 'no more connections than requests allowed in flight');
  // First in, first out: with three slots, request i starts before request i + 3.
  const order = busy.requests.map((r) => Number(r.url.slice(1)));
  order.forEach((n, position) => assert.ok(Math.abs(n - position) < 3, `request ${n} started at ${position}`));
});

test('times out when no response comes, or when the body stalls', async (t) => {
  const server = await httpServer(t, (req, res) => {
    if (req.url === '/stall-body') {
      res.writeHead(201, { 'content-length': '100' });
      res.write('partial');
    }
    // otherwise never answer
  });
  const pushTransport = transport(t, { requestTimeoutMs: 150 });

  for (const path of ['/silent', '/stall-body']) {
    const err = await rejection(pushTransport.send({ url: `${server.origin}${path}`, ...payload('x') }));
    assert.ok(err instanceof TransportError, String(err));
    assert.equal(err.code, 'timeout');
  }
  assert.deepEqual(pushTransport.stats(), { inFlight: 0, queued: 0, requests: 2 });
});

test('a socket closed before or during the response, or a refused connection, is a network error', async (t) => {
  const server = await httpServer(t, (req, res) => {
    if (req.url === '/mid-body') {
      res.writeHead(201, { 'content-length': '1000' });
      res.write('partial', () => res.socket?.destroy());
    } else {
      req.socket.destroy();
    }
  });
  const closed = createTcpServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const pushTransport = transport(t);

  for (const url of [`${server.origin}/mid-body`, `${server.origin}/no-response`, `http://127.0.0.1:${closedPort}/`]) {
    const err = await rejection(pushTransport.send({ url, ...payload('x') }));
    assert.ok(err instanceof TransportError, `${url}: ${String(err)}`);
    assert.equal(err.code, 'network', url);
    assert.ok(err.cause instanceof Error, url);
  }
  const refused = await rejection(pushTransport.send({ url: `http://127.0.0.1:${closedPort}/`, ...payload('x') }));
  assert.equal(((refused as TransportError).cause as NodeJS.ErrnoException).code, 'ECONNREFUSED');
});

test('does not follow redirects', async (t) => {
  const server = await httpServer(t, (_req, res) => {
    res.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' });
    res.end();
  });
  const response = await transport(t).send({ url: `${server.origin}/p`, ...payload('x') });
  assert.equal(response.status, 307);
  assert.equal(response.headers.location, 'http://127.0.0.1:1/elsewhere');
  assert.equal(server.requests.length, 1);
});

test('a header undici will not send is an invalid request, not a network error', async (t) => {
  const server = await httpServer(t, (_req, res) => res.end());
  const err = await rejection(
    transport(t).send({ url: `${server.origin}/`, headers: { ttl: '60\r\nx-injected: 1' }, body: new Uint8Array() }),
  );
  assert.ok(err instanceof TransportError, String(err));
  assert.equal(err.code, 'invalid_request');
  assert.equal(server.requests.length, 0);
});

test('without allowPrivate, loopback is refused before any connection: literals, and names that resolve to it', async (t) => {
  let connections = 0;
  const tcp = createTcpServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  t.after(() => tcp.close());
  const { port } = tcp.address() as AddressInfo;
  const asked: string[] = [];
  const lookup = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    return [{ address: '127.0.0.1', family: 4 }];
  };
  const pushTransport = transport(t, { allowPrivate: false, lookup });

  const cases: Array<[string, string]> = [
    [`http://127.0.0.1:${port}/`, 'not_https'],
    [`https://127.0.0.1:${port}/`, 'private_address'],
    [`https://[::ffff:127.0.0.1]:${port}/`, 'private_address'],
    [`https://localhost:${port}/`, 'private_address'],
    // A name that passed registration and now resolves to loopback (DNS rebinding).
    [`https://rebind.example.test:${port}/`, 'private_address'],
  ];
  for (const [url, reason] of cases) {
    const err = await rejection(pushTransport.send({ url, ...payload('x') }));
    assert.ok(err instanceof EndpointRejectedError, `${url}: ${String(err)}`);
    assert.equal(err.reason, reason, url);
  }
  assert.deepEqual(asked, ['rebind.example.test']);
  assert.equal(connections, 0);
  assert.equal(pushTransport.stats().inFlight, 0);
});

test('speaks HTTP/2 to a TLS server that offers it, over one connection', async (t) => {
  const fixtures = new URL('./fixtures/', import.meta.url);
  const cert = readFileSync(new URL('test-cert.pem', fixtures));
  const server = createSecureServer({ key: readFileSync(new URL('test-key.pem', fixtures)), cert, allowHTTP1: true });
  let connections = 0;
  server.on('secureConnection', () => connections++);
  server.on('request', (req, res) => {
    res.writeHead(201, { 'x-version': req.httpVersion });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  // push.test is in the certificate; the injected resolver maps it to loopback.
  const lookup = async (): Promise<LookupAddress[]> => [{ address: '127.0.0.1', family: 4 }];
  const pushTransport = transport(t, { ca: cert, lookup, connectionsPerOrigin: 1 });

  const responses = await Promise.all(
    Array.from({ length: 20 }, () => pushTransport.send({ url: `https://push.test:${port}/push`, ...payload('x') })),
  );
  assert.ok(responses.every((r) => r.status === 201 && r.headers['x-version'] === '2.0'));
  assert.equal(connections, 1);
  await pushTransport.close();
});

test('close() waits for accepted requests, queued ones included, then refuses new ones', async (t) => {
  const held: Array<() => void> = [];
  const server = await httpServer(t, (_req, res) => held.push(() => res.end('done')));
  const pushTransport = transport(t, { maxConcurrencyPerOrigin: 1 });

  const sends = [1, 2].map((i) => pushTransport.send({ url: `${server.origin}/${i}`, ...payload('x') }));
  await until(() => held.length === 1);
  let closed = false;
  const closing = pushTransport.close().then(() => (closed = true));

  const late = await rejection(pushTransport.send({ url: `${server.origin}/3`, ...payload('x') }));
  assert.ok(late instanceof TransportError);
  assert.equal(late.code, 'closed');

  held.shift()!();
  await until(() => held.length === 1);
  assert.equal(closed, false);
  held.shift()!();
  await closing;
  assert.deepEqual((await Promise.all(sends)).map((r) => r.body), ['done', 'done']);
  assert.equal(server.requests.length, 2);
});

test('refuses options that would disable the limits', () => {
  const base = { allowPrivate: false, maxConcurrencyPerOrigin: 1, connectionsPerOrigin: 1, requestTimeoutMs: 1 };
  assert.throws(() => new PushTransport({ ...base, maxConcurrencyPerOrigin: 0 }), RangeError);
  assert.throws(() => new PushTransport({ ...base, connectionsPerOrigin: Number.POSITIVE_INFINITY }), RangeError);
  assert.throws(() => new PushTransport({ ...base, requestTimeoutMs: 0 }), RangeError);
});
