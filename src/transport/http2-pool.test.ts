import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http2, { type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Http2Pool, type Http2PoolOptions } from './http2-pool.ts';
import { TransportError } from './transport-error.ts';

const cert = readFileSync(new URL('./fixtures/test-cert.pem', import.meta.url));
const key = readFileSync(new URL('./fixtures/test-key.pem', import.meta.url));

type Behaviour = (stream: ServerHttp2Stream, n: number) => void;

describe('Http2Pool', () => {
  let server: http2.Http2SecureServer;
  let origin: string;
  let sessions: Http2Session[];
  let pings: number;
  let handled: number;
  let received: number;
  let open: number;
  let maxOpen: number;
  let behaviour: Behaviour;
  const pools: Http2Pool[] = [];
  const allSessions: Http2Session[] = [];

  const respond = (stream: ServerHttp2Stream) => {
    if (stream.destroyed) return;
    handled++;
    stream.respond({ ':status': 200, 'x-n': String(handled) });
    stream.end('ok');
  };
  const pool = (opts: Partial<Http2PoolOptions> = {}) => {
    const p = new Http2Pool({ maxInFlightPerKey: 100, maxSessionsPerKey: 4, requestTimeoutMs: 5_000, pingIntervalMs: 0, ca: cert, ...opts });
    pools.push(p);
    return p;
  };
  const post = (p: Http2Pool, k = 'k') => p.request(k, origin, { path: '/x', headers: {}, body: Buffer.from('hi') });

  before(async () => {
    server = http2.createSecureServer({ cert, key, settings: { maxConcurrentStreams: 5 } });
    server.on('session', (s) => {
      sessions.push(s);
      allSessions.push(s);
      s.on('ping', () => pings++);
      s.on('error', () => {});
    });
    server.on('stream', (stream) => {
      stream.on('error', () => {});
      open++;
      maxOpen = Math.max(maxOpen, open);
      stream.on('close', () => open--);
      stream.resume();
      stream.on('end', () => behaviour(stream, ++received));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    sessions = [];
    pings = 0;
    handled = 0;
    received = 0;
    open = 0;
    maxOpen = 0;
    behaviour = (stream) => respond(stream);
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of allSessions) s.destroy();
    await closed;
  });

  test('streams share one session up to the peer’s limit; another opens only when it is full', async () => {
    const p = pool();
    // After one answer the peer's SETTINGS (5 streams) are known: they come first on the connection.
    assert.equal((await post(p)).status, 200);
    const held: ServerHttp2Stream[] = [];
    behaviour = (stream) => held.push(stream);
    const requests = Array.from({ length: 9 }, () => post(p));
    while (held.length < 9) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sessions.length, 2, '5 streams on the first session, 4 on a second');
    for (const s of held) respond(s);
    const answers = await Promise.all(requests);
    assert.deepEqual(answers.map((a) => [a.status, a.body]), Array.from({ length: 9 }, () => [200, 'ok']));
    assert.equal(p.stats().sessionsOpened, 2);
    // Idle again: the next requests reuse what is open.
    behaviour = (stream) => respond(stream);
    await Promise.all([post(p), post(p)]);
    assert.equal(sessions.length, 2);
  });

  test('requests in flight per key are bounded; the rest wait their turn', async () => {
    behaviour = (stream) => setTimeout(() => respond(stream), 5);
    const p = pool({ maxInFlightPerKey: 3 });
    await Promise.all(Array.from({ length: 20 }, () => post(p)));
    assert.equal(handled, 20);
    assert.ok(maxOpen <= 3, `at most 3 at once, saw ${maxOpen}`);
  });

  test('keys get sessions of their own (APNs: one team per connection)', async () => {
    const p = pool();
    await Promise.all([post(p, 'team-a'), post(p, 'team-b')]);
    assert.equal(sessions.length, 2);
  });

  test('after a GOAWAY, streams the peer did not take go to a new session, once each', async () => {
    const held: ServerHttp2Stream[] = [];
    let goawayAfter: number | undefined;
    behaviour = (stream, n) => {
      if (n === 1) {
        // Takes this stream only: the sender may replay the others (RFC 9113 §6.8), and
        // a server that said so does not process them.
        goawayAfter = stream.id;
        stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, stream.id, Buffer.from('{"reason":"Shutdown"}'));
        held.push(stream);
        setTimeout(() => held.forEach(respond), 20);
        return;
      }
      if (stream.session === sessions[0] && goawayAfter !== undefined && stream.id! > goawayAfter) return void stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      respond(stream);
    };
    const p = pool();
    const answers = await Promise.all(Array.from({ length: 4 }, () => post(p)));
    assert.ok(answers.every((a) => a.status === 200));
    assert.equal(handled, 4, 'nothing handled twice');
    assert.equal(sessions.length, 2);
  });

  test('a GOAWAY with an error code: streams up to its last stream id fail as network errors, those above it are sent again', async () => {
    const held: ServerHttp2Stream[] = [];
    behaviour = (stream) => {
      if (stream.session !== sessions[0]) return respond(stream);
      held.push(stream);
      // All four on the first session: the peer says it took the first two, then goes.
      if (held.length === 4) stream.session!.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, held[1]!.id!);
    };
    const p = pool();
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => post(p)));
    const failed = results.filter((r) => r.status === 'rejected');
    assert.equal(failed.length, 2, 'the two the peer may have processed are not sent again');
    for (const f of failed) assert.ok(f.reason instanceof TransportError && f.reason.code === 'network', String(f.reason));
    assert.deepEqual(results.filter((r) => r.status === 'fulfilled').map((r) => r.value.status), [200, 200]);
    assert.equal(handled, 2, 'the other two were answered once, on a new session');
    assert.equal(sessions.length, 2);
  });

  test('a connection cut mid-stream fails the request with TransportError network', async () => {
    behaviour = (stream) => stream.session!.destroy();
    const p = pool();
    await assert.rejects(post(p), (e: unknown) => e instanceof TransportError && e.code === 'network');
    // And the pool recovers on a new session.
    behaviour = (stream) => respond(stream);
    assert.equal((await post(p)).status, 200);
  });

  test('no answer within the request timeout fails with TransportError timeout', async () => {
    behaviour = () => {};
    const p = pool({ requestTimeoutMs: 100 });
    await assert.rejects(post(p), (e: unknown) => e instanceof TransportError && e.code === 'timeout');
  });

  test('idle sessions are pinged', async () => {
    const p = pool({ pingIntervalMs: 10 });
    await post(p);
    while (pings < 2) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sessions.length, 1);
  });

  test('a closed pool refuses requests', async () => {
    const p = pool();
    await post(p);
    await p.close();
    await assert.rejects(post(p), (e: unknown) => e instanceof TransportError && e.code === 'closed');
  });
});
