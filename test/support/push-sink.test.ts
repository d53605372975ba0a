import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http, { type OutgoingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import { after, before, describe, it } from 'node:test';
import { encryptWebPush } from '../../src/protocol/webpush/ece.ts';
import {
  generateVapidKeys,
  signVapidToken,
  vapidAuthorization,
  vapidSigningKey,
  type VapidKeys,
} from '../../src/protocol/webpush/vapid.ts';
import { startPushSink, subscriptionKeys, type PushSink, type SinkSubscription } from './push-sink.ts';

const vapidKeys = generateVapidKeys();
const signingKey = vapidSigningKey(vapidKeys.publicKey, vapidKeys.privateKey);
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface PushOptions {
  payload?: string | Buffer;
  ttl?: string | null;
  audience?: string;
  expiresAt?: number;
  keys?: VapidKeys;
  authorization?: string | null;
  contentEncoding?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer;
}

/** Builds the request a Web Push sender makes (RFC 8030 §5, RFC 8291, RFC 8292). */
function pushRequest(sink: PushSink, subscription: SinkSubscription, options: PushOptions = {}) {
  const keys = options.keys ?? vapidKeys;
  const key = keys === vapidKeys ? signingKey : vapidSigningKey(keys.publicKey, keys.privateKey);
  const payload = options.payload ?? JSON.stringify({ web_push: 8030, notification: { title: 'Hello', navigate: 'https://example.com/' } });
  const body =
    options.body ??
    (payload.length === 0
      ? Buffer.alloc(0)
      : encryptWebPush({ plaintext: Buffer.from(payload), ...subscriptionKeys(subscription) }));
  const token = signVapidToken({
    audience: options.audience ?? sink.url,
    subject: 'mailto:ops@example.com',
    expiresAt: options.expiresAt ?? nowSeconds() + 3600,
    key,
  });
  const headers: OutgoingHttpHeaders = { 'content-length': body.length, ...options.headers };
  if (options.ttl !== null) headers.ttl = options.ttl ?? '60';
  if (options.authorization !== null) headers.authorization = options.authorization ?? vapidAuthorization(token, keys.publicKey);
  if (body.length > 0) headers['content-encoding'] = options.contentEncoding ?? 'aes128gcm';
  return { headers, body };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function send(url: string, request: { headers: OutgoingHttpHeaders; body: Buffer }, agent: http.Agent, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: request.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

function send2(client: http2.ClientHttp2Session, url: string, request: { headers: OutgoingHttpHeaders; body: Buffer }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { 'content-length': _length, ...headers } = request.headers;
    const stream = client.request({ ':method': 'POST', ':path': new URL(url).pathname, ...headers });
    let status = 0;
    let responseHeaders: http.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status, headers: responseHeaders, text: Buffer.concat(chunks).toString() }));
    stream.on('error', reject);
    stream.end(request.body);
  });
}

describe('push sink over HTTP/1.1', () => {
  let sink: PushSink;
  let agent: http.Agent;

  before(async () => {
    sink = await startPushSink();
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  });
  after(async () => {
    agent.destroy();
    await sink.close();
  });

  it('hands out subscriptions shaped like PushSubscription.toJSON()', () => {
    const subscription = sink.subscribe();
    assert.match(subscription.endpoint, new RegExp(`^${sink.url}/push/[A-Za-z0-9_-]+$`));
    assert.equal(Buffer.from(subscription.keys.p256dh, 'base64url').length, 65);
    assert.equal(Buffer.from(subscription.keys.auth, 'base64url').length, 16);
    assert.notEqual(sink.subscribe().endpoint, subscription.endpoint);
  });

  it('accepts, decrypts and records a valid push with 201 and Location', async () => {
    const subscription = sink.subscribe();
    const before = sink.received.length;
    const answer = await send(
      subscription.endpoint,
      pushRequest(sink, subscription, { headers: { urgency: 'high', topic: 'order-42' } }),
      agent,
    );
    assert.equal(answer.status, 201);
    assert.match(String(answer.headers.location), new RegExp(`^${sink.url}/message/`));
    assert.equal(answer.headers.ttl, '60');
    const [push] = sink.receivedFor(subscription.id);
    assert.ok(push);
    assert.equal(sink.received.length, before + 1);
    assert.equal(push.subscriptionId, subscription.id);
    assert.equal(push.endpoint, subscription.endpoint);
    assert.deepEqual(push.headers, { ttl: 60, urgency: 'high', topic: 'order-42' });
    assert.equal(push.vapidPublicKey, vapidKeys.publicKey);
    assert.equal(push.vapidClaims?.sub, 'mailto:ops@example.com');
    assert.equal(push.vapidClaims?.aud, sink.url);
    assert.deepEqual(push.json, { web_push: 8030, notification: { title: 'Hello', navigate: 'https://example.com/' } });
    assert.equal(push.httpVersion, '1.1');
    assert.deepEqual(sink.receivedFor(subscription.endpoint), [push]);
  });

  it('accepts a push without payload (RFC 8030 §5)', async () => {
    const subscription = sink.subscribe();
    const answer = await send(subscription.endpoint, pushRequest(sink, subscription, { payload: '' }), agent);
    assert.equal(answer.status, 201);
    const [push] = sink.receivedFor(subscription.id);
    assert.equal(push?.plaintext, '');
    assert.equal(push?.json, undefined);
  });

  it('refuses what a real push service refuses', async () => {
    const subscription = sink.subscribe();
    const other = sink.subscribe();
    const restricted = sink.subscribe({ applicationServerKey: generateVapidKeys().publicKey });
    const before = { received: sink.received.length, requests: sink.requestCount };
    const good = pushRequest(sink, subscription);
    const tampered = Buffer.from(good.body);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    const cases: Array<[string, string, ReturnType<typeof pushRequest>, number]> = [
      ['missing TTL', subscription.endpoint, pushRequest(sink, subscription, { ttl: null }), 400],
      ['non-numeric TTL', subscription.endpoint, pushRequest(sink, subscription, { ttl: 'soon' }), 400],
      ['topic of 33 characters', subscription.endpoint, pushRequest(sink, subscription, { headers: { topic: 'a'.repeat(33) } }), 400],
      ['unknown urgency', subscription.endpoint, pushRequest(sink, subscription, { headers: { urgency: 'urgent' } }), 400],
      ['old aesgcm encoding', subscription.endpoint, pushRequest(sink, subscription, { contentEncoding: 'aesgcm' }), 415],
      ['body over 4096 bytes', subscription.endpoint, pushRequest(sink, subscription, { body: randomBytes(4097) }), 413],
      ['no Authorization', subscription.endpoint, pushRequest(sink, subscription, { authorization: null }), 401],
      ['legacy WebPush scheme', subscription.endpoint, pushRequest(sink, subscription, { authorization: 'WebPush abc' }), 401],
      ['aud of another service', subscription.endpoint, pushRequest(sink, subscription, { audience: 'https://fcm.googleapis.com' }), 401],
      ['expired token', subscription.endpoint, pushRequest(sink, subscription, { expiresAt: nowSeconds() - 10 }), 401],
      ['exp over 24 hours ahead', subscription.endpoint, pushRequest(sink, subscription, { expiresAt: nowSeconds() + 90_000 }), 401],
      ['restricted to another key', restricted.endpoint, pushRequest(sink, restricted), 403],
      ['tampered body', subscription.endpoint, { headers: good.headers, body: tampered }, 400],
      ['encrypted for another subscription', subscription.endpoint, pushRequest(sink, other), 400],
      ['unknown endpoint', `${sink.url}/push/nobody`, good, 404],
      ['other path', `${sink.url}/elsewhere`, good, 404],
    ];
    for (const [name, url, request, status] of cases) {
      const answer = await send(url, request, agent);
      assert.equal(answer.status, status, `${name}: ${answer.text}`);
    }
    assert.equal((await send(subscription.endpoint, { headers: {}, body: Buffer.alloc(0) }, agent, 'GET')).status, 405);
    assert.equal(sink.received.length, before.received, 'nothing refused is recorded');
    assert.equal(sink.requestCount, before.requests + cases.length + 1);
    const reasons = sink.responses.filter((r) => r.subscriptionId === subscription.id).map((r) => r.reason);
    assert.ok(reasons.some((reason) => /^webpush\.decrypt_failed \(authentication\)/.test(reason)), reasons.join('\n'));
    assert.ok(reasons.some((reason) => /^vapid\.invalid_token \(expiry_too_far\)/.test(reason)), reasons.join('\n'));
  });

  it('accepts a restricted subscription signed with its key', async () => {
    const restricted = sink.subscribe({ applicationServerKey: vapidKeys.publicKey });
    assert.equal((await send(restricted.endpoint, pushRequest(sink, restricted), agent)).status, 201);
  });

  it('plays canned answers in order, then behaves normally', async () => {
    const subscription = sink.subscribe();
    sink.respondWith(subscription.endpoint, [{ status: 503 }, { status: 429, retryAfter: 1 }]);
    sink.respondWith(subscription.id, [{ status: 500, body: 'oops', headers: { 'x-reason': 'test' } }]);
    const request = pushRequest(sink, subscription);
    const first = await send(subscription.endpoint, request, agent);
    const second = await send(subscription.endpoint, request, agent);
    const third = await send(subscription.endpoint, request, agent);
    const fourth = await send(subscription.endpoint, request, agent);
    assert.equal(first.status, 503);
    assert.equal(second.status, 429);
    assert.equal(second.headers['retry-after'], '1');
    assert.equal(third.status, 500);
    assert.equal(third.text, 'oops');
    assert.equal(third.headers['x-reason'], 'test');
    assert.equal(fourth.status, 201);
    assert.equal(sink.receivedFor(subscription.id).length, 1);
    assert.deepEqual(
      sink.responses.filter((r) => r.subscriptionId === subscription.id).map((r) => r.status),
      [503, 429, 500, 201],
    );
  });

  it('answers 410 forever once a subscription is gone', async () => {
    const subscription = sink.subscribe();
    sink.gone(subscription.endpoint);
    for (let n = 0; n < 3; n++) {
      assert.equal((await send(subscription.endpoint, pushRequest(sink, subscription), agent)).status, 410);
    }
    assert.equal(sink.receivedFor(subscription.id).length, 0);
    assert.throws(() => sink.gone(`${sink.url}/push/nobody`), /no subscription/);
  });

  it('reuses one kept-alive connection', async () => {
    const fresh = await startPushSink();
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const subscription = fresh.subscribe();
      for (let n = 0; n < 5; n++) {
        assert.equal((await send(subscription.endpoint, pushRequest(fresh, subscription), keepAlive)).status, 201);
      }
      assert.equal(fresh.connections, 1);
      assert.equal(fresh.requestCount, 5);
    } finally {
      keepAlive.destroy();
      await fresh.close();
    }
  });

  it('waits for messages, and says how many came when they do not', async () => {
    const fresh = await startPushSink();
    const oneShot = new http.Agent({ keepAlive: false });
    try {
      const subscription = fresh.subscribe();
      const waiting = fresh.waitFor(2, 5000);
      await send(subscription.endpoint, pushRequest(fresh, subscription), oneShot);
      await send(subscription.endpoint, pushRequest(fresh, subscription, { ttl: null }), oneShot);
      await send(subscription.endpoint, pushRequest(fresh, subscription), oneShot);
      const received = await waiting;
      assert.equal(received.length, 2);
      assert.equal(fresh.connections, 3);
      await assert.rejects(fresh.waitFor(3, 20), (error: Error) => {
        assert.match(error.message, /3 message\(s\) but 2 arrived/);
        assert.match(error.message, /3 request\(s\)/);
        assert.match(error.message, /400 missing TTL header/);
        return true;
      });
      const pending = fresh.waitFor(10, 5000);
      await fresh.close();
      await assert.rejects(pending, /closed with 2 of 10/);
    } finally {
      oneShot.destroy();
      await fresh.close();
    }
  });

  it('delays answers when asked', async () => {
    const subscription = sink.subscribe();
    sink.setDelay(20);
    try {
      assert.equal((await send(subscription.endpoint, pushRequest(sink, subscription), agent)).status, 201);
    } finally {
      sink.setDelay(0);
    }
  });
});

describe('push sink over HTTP/2 (h2c)', () => {
  it('accepts pushes multiplexed on one connection', async () => {
    const sink = await startPushSink({ http2: true });
    const client = http2.connect(sink.url);
    try {
      const a = sink.subscribe();
      const b = sink.subscribe();
      const answers = await Promise.all([
        send2(client, a.endpoint, pushRequest(sink, a, { payload: 'first' })),
        send2(client, b.endpoint, pushRequest(sink, b, { payload: 'second' })),
        send2(client, a.endpoint, pushRequest(sink, a, { ttl: null })),
      ]);
      assert.deepEqual(answers.map((answer) => answer.status), [201, 201, 400]);
      assert.match(String(answers[0]?.headers.location), new RegExp(`^${sink.url}/message/`));
      const received = await sink.waitFor(2, 5000);
      assert.deepEqual(received.map((push) => push.plaintext).sort(), ['first', 'second']);
      assert.equal(received[0]?.httpVersion, '2.0');
      assert.equal(sink.connections, 1);
      assert.equal(sink.requestCount, 3);
    } finally {
      client.close();
      await sink.close();
    }
  });
});

describe('push sink without verification', () => {
  it('records whatever arrives', async () => {
    const sink = await startPushSink({ verify: false });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const subscription = sink.subscribe();
      const plain = pushRequest(sink, subscription, { payload: 'readable', ttl: null, authorization: null });
      assert.equal((await send(subscription.endpoint, plain, agent)).status, 201);
      assert.equal((await send(subscription.endpoint, { headers: {}, body: randomBytes(5000) }, agent)).status, 201);
      const [first, second] = sink.receivedFor(subscription.id);
      assert.equal(first?.plaintext, 'readable');
      assert.equal(first?.headers.ttl, null);
      assert.equal(first?.vapidPublicKey, null);
      assert.equal(second?.plaintext, '');
      assert.equal(second?.body.length, 5000);
    } finally {
      agent.destroy();
      await sink.close();
    }
  });
});

describe('push sink clock', () => {
  it('checks VAPID expiry against an injected clock', async () => {
    const fixedNow = 1_700_000_000;
    const sink = await startPushSink({ now: () => fixedNow });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const subscription = sink.subscribe();
      const ok = pushRequest(sink, subscription, { expiresAt: fixedNow + 60 });
      assert.equal((await send(subscription.endpoint, ok, agent)).status, 201);
      const expired = pushRequest(sink, subscription, { expiresAt: fixedNow });
      assert.equal((await send(subscription.endpoint, expired, agent)).status, 401);
    } finally {
      agent.destroy();
      await sink.close();
    }
  });
});
