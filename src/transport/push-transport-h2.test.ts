import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import http2, { type ServerHttp2Stream } from 'node:http2';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { EndpointRejectedError } from './endpoint-rejected-error.ts';
import { PushTransport, type PushTransportOptions } from './push-transport.ts';
import { TransportError } from './transport-error.ts';

/** Web push to a service that speaks HTTP/2: one session, streams up to the peer's limit. */

const fixtures = new URL('./fixtures/', import.meta.url);
const cert = readFileSync(new URL('test-cert.pem', fixtures));
const key = readFileSync(new URL('test-key.pem', fixtures));
// push.test is in the certificate; the injected resolver maps it to loopback.
const lookup = async (): Promise<LookupAddress[]> => [{ address: '127.0.0.1', family: 4 }];

interface H2Server {
  origin: string;
  /** HTTP/2 sessions (TLS connections) accepted so far. */
  sessions: http2.Http2Session[];
  /** TCP connections accepted so far, TLS or not. */
  connections: () => number;
  /** Paths of the streams received, in order, over every session. */
  received: string[];
  /** The most streams open at once on one session. */
  maxOpen: () => number;
}

async function h2Server(t: TestContext, handler: (stream: ServerHttp2Stream, path: string) => void, settings: http2.Settings = {}): Promise<H2Server> {
  const server = http2.createSecureServer({ key, cert, settings });
  const sessions: http2.Http2Session[] = [];
  const received: string[] = [];
  const open = new Map<http2.Http2Session, number>();
  let maxOpen = 0;
  let connections = 0;
  server.on('connection', () => connections++);
  server.on('session', (session) => {
    sessions.push(session);
    session.on('error', () => {});
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    const session = stream.session!;
    open.set(session, (open.get(session) ?? 0) + 1);
    maxOpen = Math.max(maxOpen, open.get(session)!);
    stream.on('close', () => open.set(session, open.get(session)! - 1));
    stream.resume();
    stream.on('end', () => {
      received.push(String(headers[':path']));
      handler(stream, String(headers[':path']));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sessions) s.destroy();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { origin: `https://push.test:${port}`, sessions, connections: () => connections, received, maxOpen: () => maxOpen };
}

function transport(t: TestContext, overrides: Partial<PushTransportOptions> = {}): PushTransport {
  const pushTransport = new PushTransport({ allowPrivate: true, maxConcurrencyPerOrigin: 100, connectionsPerOrigin: 32, requestTimeoutMs: 5_000, lookup, ca: cert, ...overrides });
  t.after(() => pushTransport.close());
  return pushTransport;
}

const post = (pushTransport: PushTransport, url: string, urgent = false) =>
  pushTransport.send({ url, headers: { ttl: '60', 'content-encoding': 'aes128gcm' }, body: new TextEncoder().encode('x'), ...(urgent ? { urgent } : {}) });

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

const answer = (stream: ServerHttp2Stream, status = 201, body = '') => {
  if (stream.destroyed || stream.closed) return;
  stream.respond({ ':status': status });
  stream.end(body);
};

test('an HTTP/2 origin gets one session for 200 concurrent requests, with today’s answers: status, headers, body prefix, no redirects', async (t) => {
  const server = await h2Server(t, (stream, path) => {
    if (path === '/redirect') {
      stream.respond({ ':status': 307, location: 'https://elsewhere.test/' });
      return void stream.end();
    }
    stream.respond({ ':status': 201, location: `/m${path}` });
    // 10 KB: 2 KB kept; 1 MB: cut off past the drain limit, on its stream only.
    stream.end(path === '/big' ? 'é'.repeat(5000) : path === '/huge' ? Buffer.alloc(1024 * 1024, 'a') : 'created');
  });
  const pushTransport = transport(t);

  const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => post(pushTransport, `${server.origin}/p/${i}?x=1`)));
  assert.ok(responses.every((r, i) => r.status === 201 && r.headers.location === `/m/p/${i}?x=1` && r.body === 'created'));
  const big = await post(pushTransport, `${server.origin}/big`);
  assert.equal(big.body, 'é'.repeat(1024));
  const huge = await post(pushTransport, `${server.origin}/huge`);
  assert.equal(huge.status, 201);
  assert.equal(huge.body, 'a'.repeat(2048));
  const redirect = await post(pushTransport, `${server.origin}/redirect`);
  assert.equal(redirect.status, 307);
  assert.equal(redirect.headers.location, 'https://elsewhere.test/');

  assert.equal(server.sessions.length, 1, 'one TLS session for every request');
  assert.equal(server.connections(), 1);
  assert.equal(server.received.length, 203);
  assert.deepEqual(pushTransport.stats(), { inFlight: 0, queued: 0, requests: 203 });
});

test('never more streams open than the peer’s SETTINGS_MAX_CONCURRENT_STREAMS, on the one session', async (t) => {
  const held: ServerHttp2Stream[] = [];
  const server = await h2Server(
    t,
    (stream) => {
      held.push(stream);
      // Answered ten at a time: the client has to fill the peer's limit, and may not pass it.
      if (held.length === 10) held.splice(0).forEach((s) => answer(s));
    },
    { maxConcurrentStreams: 10 },
  );
  const pushTransport = transport(t);

  const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => post(pushTransport, `${server.origin}/p/${i}`)));
  assert.ok(responses.every((r) => r.status === 201));
  assert.equal(server.maxOpen(), 10);
  assert.equal(server.sessions.length, 1);
  assert.equal(server.received.length, 100, 'each request sent once');
});

test('a GOAWAY mid-burst: what the peer took is answered on the old session, the rest once each on a new one', async (t) => {
  const held: ServerHttp2Stream[] = [];
  let first: http2.Http2Session | undefined;
  const answered: string[] = [];
  const paths = new Map<ServerHttp2Stream, string>();
  const server = await h2Server(
    t,
    (stream, path) => {
      first ??= stream.session!;
      if (stream.session !== first) {
        answered.push(path);
        return answer(stream);
      }
      held.push(stream);
      paths.set(stream, path);
      if (held.length < 5) return;
      // Takes the first three; the two above its last stream id it does not process
      // (RFC 9113 §6.8), so the client may send them again.
      const last = held[2]!.id!;
      stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, last);
      for (const s of held.filter((h) => h.id! <= last)) {
        answered.push(paths.get(s)!);
        answer(s);
      }
    },
    { maxConcurrentStreams: 5 },
  );
  const pushTransport = transport(t);

  const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => post(pushTransport, `${server.origin}/p/${i}`)));
  assert.ok(responses.every((r) => r.status === 201));
  assert.deepEqual(answered.slice().sort(), Array.from({ length: 12 }, (_, i) => `/p/${i}`).slice().sort(), 'each answered exactly once');
  assert.equal(server.sessions.length, 2);
});

test('a session dying mid-fan-out: its requests in flight fail as network errors and are not sent again; the others go on a new session', async (t) => {
  let first: http2.Http2Session | undefined;
  let inFirst = 0;
  const server = await h2Server(
    t,
    (stream) => {
      first ??= stream.session!;
      if (stream.session !== first) return answer(stream);
      // Five received (the peer's limit), none answered: the connection is lost.
      if (++inFirst === 5) stream.session!.destroy();
    },
    { maxConcurrentStreams: 5 },
  );
  const pushTransport = transport(t);

  const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => post(pushTransport, `${server.origin}/p/${i}`)));
  const inFlight = server.received.slice(0, 5);
  for (const [i, r] of results.entries()) {
    if (inFlight.includes(`/p/${i}`)) assert.equal(r.status, 'rejected', `/p/${i} was in flight when the connection was lost`);
    if (r.status === 'rejected') assert.ok(r.reason instanceof TransportError && r.reason.code === 'network', String(r.reason));
    else assert.equal(r.value.status, 201);
  }
  // A request given a stream as the connection went may fail too, never be sent twice.
  assert.ok(results.filter((r) => r.status === 'fulfilled').length >= 4, 'the others went on a new session');
  assert.equal(new Set(server.received).size, server.received.length, 'no request sent twice');
  assert.equal(server.sessions.length, 2);
});

test('the urgent lane has a session of its own: an urgent request is answered while the ordinary ones fill the peer’s streams', async (t) => {
  const held: ServerHttp2Stream[] = [];
  const server = await h2Server(t, (stream, path) => (path === '/urgent' ? answer(stream) : held.push(stream)), { maxConcurrentStreams: 4 });
  const pushTransport = transport(t, { maxConcurrencyPerOrigin: 10, urgentConcurrencyPerOrigin: 2 });

  const ordinary = Array.from({ length: 10 }, (_, i) => post(pushTransport, `${server.origin}/b/${i}`));
  await until(() => held.length === 4);
  assert.equal((await post(pushTransport, `${server.origin}/urgent`, true)).status, 201);
  assert.equal(held.length, 4, 'the ordinary streams are all still held');
  assert.equal(server.sessions.length, 2);
  while (server.received.length < 11 || held.length > 0) {
    await until(() => held.length > 0);
    held.splice(0).forEach((s) => answer(s));
  }
  assert.deepEqual((await Promise.all(ordinary)).map((r) => r.status), Array(10).fill(201));
  assert.equal(server.maxOpen(), 4);
});

test('an origin that speaks HTTP/1.1 only keeps the kept-alive HTTP/1.1 path, after one TLS handshake to learn it', async (t) => {
  const versions: string[] = [];
  let connections = 0;
  // Node's HTTPS server picks http/1.1 in ALPN.
  const server = createHttpsServer({ key, cert, keepAliveTimeout: 60_000 }, (req, res) => {
    versions.push(req.httpVersion);
    req.resume();
    req.on('end', () => res.writeHead(201).end('h1'));
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const origin = `https://push.test:${(server.address() as AddressInfo).port}`;
  const pushTransport = transport(t, { connectionsPerOrigin: 4 });

  for (let round = 0; round < 2; round++) {
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => post(pushTransport, `${origin}/p/${i}`)));
    assert.ok(responses.every((r) => r.status === 201 && r.body === 'h1'));
  }
  assert.equal(versions.length, 60);
  assert.ok(versions.every((v) => v === '1.1'));
  assert.ok(connections <= 1 + 4, `${connections} TLS connections: the ALPN one, then at most connectionsPerOrigin`);
});

test('the address policy holds on the HTTP/2 path: a name resolving to loopback is refused before any connection', async (t) => {
  const server = await h2Server(t, (stream) => answer(stream));
  const asked: string[] = [];
  const rebinding = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    return [{ address: '127.0.0.1', family: 4 }];
  };
  const pushTransport = transport(t, { allowPrivate: false, lookup: rebinding });

  const results = await Promise.allSettled(Array.from({ length: 3 }, () => post(pushTransport, `${server.origin}/p`)));
  for (const r of results) {
    assert.ok(r.status === 'rejected' && r.reason instanceof EndpointRejectedError, String(r.status === 'rejected' ? r.reason : r.value.status));
    assert.equal(r.reason.reason, 'private_address');
  }
  assert.ok(asked.length >= 1 && asked.every((h) => h === 'push.test'));
  assert.equal(server.connections(), 0);
  assert.deepEqual(pushTransport.stats(), { inFlight: 0, queued: 0, requests: 3 });
});

test('the request timeout holds on the HTTP/2 path: no answer, a stalled body, a handshake that never ends', async (t) => {
  const server = await h2Server(t, (stream, path) => {
    if (path === '/stall-body') {
      stream.respond({ ':status': 201, 'content-length': '100' });
      stream.write('partial');
    }
    // otherwise never answer
  });
  const silent = createTcpServer(() => {}); // accepts TCP, never speaks TLS
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => silent.close());
  const pushTransport = transport(t, { requestTimeoutMs: 150 });

  const urls = [`${server.origin}/silent`, `${server.origin}/stall-body`, `https://push.test:${(silent.address() as AddressInfo).port}/`];
  for (const url of urls) {
    const result = await Promise.allSettled([post(pushTransport, url)]);
    const r = result[0]!;
    assert.ok(r.status === 'rejected' && r.reason instanceof TransportError, `${url}: ${r.status}`);
    assert.equal(r.reason.code, 'timeout', url);
  }
  assert.deepEqual(pushTransport.stats(), { inFlight: 0, queued: 0, requests: 3 });
});

test('a header HTTP/2 will not carry is an invalid request, not a network error', async (t) => {
  const server = await h2Server(t, (stream) => answer(stream));
  const pushTransport = transport(t);
  assert.equal((await post(pushTransport, `${server.origin}/first`)).status, 201);
  const result = await Promise.allSettled([pushTransport.send({ url: `${server.origin}/bad`, headers: { ttl: '60\r\nx-injected: 1' }, body: new Uint8Array() })]);
  const r = result[0]!;
  assert.ok(r.status === 'rejected' && r.reason instanceof TransportError, r.status);
  assert.equal(r.reason.code, 'invalid_request');
  assert.deepEqual(server.received, ['/first']);
});
