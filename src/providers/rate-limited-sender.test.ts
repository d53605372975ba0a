import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRateLimiter, type RateLimiter } from '../rate-limit/rate-limiter.ts';
import { defaults } from '../config/defaults.ts';
import type { OutgoingMessage, Recipient, Send, Sender } from './channel.ts';
import type { Outcome } from './outcome.ts';
import { RateLimitedSender } from './rate-limited-sender.ts';
import { CHANNELS } from './registry.ts';

const message: OutgoingMessage = { id: 'ntf_1', appId: 'app_1', content: { title: 't' }, ttl: 60, urgency: 'normal', topic: null };

function recipients(origin: string, n: number, from = 0): Recipient[] {
  return Array.from({ length: n }, (_, i) => ({ seq: from + i, id: `sub_${from + i}`, address: `${origin}/push/${from + i}`, p256dh: null, auth: null, environment: null, appTopic: null }));
}

/** The recipients, each sent the one message. */
const to = (rs: Recipient[], m: OutgoingMessage = message): Send[] => rs.map((recipient) => ({ recipient, message: m }));

/** Answers each recipient with `answer(recipient)` and records the recipients of each call. */
function fakeSender(answer: (r: Recipient) => Outcome = () => ({ kind: 'delivered', status: 201 })): Sender & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    calls,
    async send(sends) {
      calls.push(sends.map((s) => s.recipient.seq));
      return sends.map((s) => answer(s.recipient));
    },
    async close() {},
  };
}

function limited(inner: Sender, opts: { limiter?: RateLimiter; rate?: number; maxWaitMs?: number; pauseOnThrottle?: boolean; channel?: string } = {}) {
  return new RateLimitedSender(inner, {
    limiter: opts.limiter ?? new MemoryRateLimiter(),
    keyFor: (r, m) => CHANNELS.get(opts.channel ?? 'webpush')!.rateKey(r, m),
    rate: opts.rate ?? 0,
    maxWaitMs: opts.maxWaitMs ?? 10_000,
    pauseOnThrottle: opts.pauseOnThrottle ?? true,
  });
}

test('keys: Web Push by push service origin, APNs and FCM by app', () => {
  const [r] = recipients('https://updates.push.services.mozilla.com', 1);
  const key = (channel: string, recipient: Recipient) => CHANNELS.get(channel)!.rateKey(recipient, message);
  assert.equal(key('webpush', r!), 'webpush:https://updates.push.services.mozilla.com');
  assert.equal(key('webpush', { ...r!, address: 'not a url' }), 'webpush:invalid');
  assert.equal(key('apns', r!), 'apns:app_1');
  assert.equal(key('fcm', r!), 'fcm:app_1');
});

test('rates: Web Push at the origin rate and paused by a 429; APNs and FCM at the provider rate, a 429 pausing nothing', () => {
  const config = { ...defaults, originRate: 7, providerRate: 9 };
  const policy = (channel: string) => {
    const c = CHANNELS.get(channel)!;
    return [c.rate(config), c.pausesOnThrottle];
  };
  assert.deepEqual(policy('webpush'), [7, true]);
  assert.deepEqual(policy('apns'), [9, false]);
  assert.deepEqual(policy('fcm'), [9, false]);
});

test('without a rate each origin goes in one call; the outcomes keep the order of the recipients', async () => {
  const inner = fakeSender((r) => (r.seq % 2 ? { kind: 'gone', status: 410, reason: 'gone' } : { kind: 'delivered', status: 201 }));
  const mixed = [...recipients('https://a.example', 3, 0), ...recipients('https://b.example', 2, 3)].sort((x, y) => (x.seq % 2) - (y.seq % 2) || x.seq - y.seq);
  const outcomes = await limited(inner).send(to(mixed));
  assert.deepEqual(outcomes.map((o) => o.kind), mixed.map((r) => (r.seq % 2 ? 'gone' : 'delivered')));
  assert.deepEqual(inner.calls.map((c) => [...c].sort()), [[0, 1, 2], [3, 4]], 'one call per origin');
});

test('with a rate, an origin is sent in takes of one second at most, all delivered', async () => {
  const inner = fakeSender();
  const outcomes = await limited(inner, { rate: 50 }).send(to(recipients('https://a.example', 120)));
  assert.equal(outcomes.filter((o) => o.kind === 'delivered').length, 120);
  assert.deepEqual(inner.calls.map((c) => c.length), [50, 50, 20]);
});

test('a Web Push 429 pauses the origin for every batch; what cannot wait goes back to the queue with the delay', async () => {
  const limiter = new MemoryRateLimiter();
  const throttling = fakeSender(() => ({ kind: 'throttled', status: 429, reason: 'slow down', afterMs: 5_000 }));
  await limited(throttling, { limiter }).send(to(recipients('https://a.example', 2)));
  const inner = fakeSender();
  const outcomes = await limited(inner, { limiter, maxWaitMs: 100 }).send(to([...recipients('https://a.example', 2, 10), ...recipients('https://b.example', 1, 20)]));
  assert.deepEqual(inner.calls, [[20]], 'only the other origin was sent to');
  const held = outcomes.slice(0, 2);
  for (const o of held) {
    assert.equal(o.kind, 'retry');
    assert.match((o as { reason: string }).reason, /rate limit of webpush:https:\/\/a\.example/);
    assert.ok((o as { afterMs: number }).afterMs > 4_000);
    assert.equal((o as { deferred?: boolean }).deferred, true, 'never sent: no attempt is spent');
  }
  assert.equal(outcomes[2]!.kind, 'delivered');
});

test('an APNs or FCM 429 is about one device and pauses nothing; a 503 with Retry-After pauses the provider', async () => {
  const limiter = new MemoryRateLimiter();
  const busy = fakeSender(() => ({ kind: 'throttled', status: 429, reason: 'TooManyRequests' }));
  await limited(busy, { limiter, channel: 'apns', pauseOnThrottle: false }).send(to(recipients('https://a.example', 1)));
  const inner = fakeSender();
  await limited(inner, { limiter, channel: 'apns', pauseOnThrottle: false, maxWaitMs: 100 }).send(to(recipients('https://a.example', 1, 5)));
  assert.deepEqual(inner.calls, [[5]]);

  const down = fakeSender(() => ({ kind: 'retry', status: 503, reason: 'UNAVAILABLE', afterMs: 3_000 }));
  await limited(down, { limiter, channel: 'fcm', pauseOnThrottle: false }).send(to(recipients('https://a.example', 1)));
  const after = fakeSender();
  const outcomes = await limited(after, { limiter, channel: 'fcm', pauseOnThrottle: false, maxWaitMs: 100 }).send(to(recipients('https://a.example', 1, 7)));
  assert.deepEqual(after.calls, []);
  assert.equal(outcomes[0]!.kind, 'retry');
});

test('a limiter that fails hands the recipients back to the queue instead of failing the batch', async () => {
  const broken: RateLimiter = {
    take: async () => {
      throw new Error('Connection is closed.');
    },
    pause: async () => {},
    close: async () => {},
  };
  const inner = fakeSender();
  const outcomes = await limited(inner, { limiter: broken }).send(to(recipients('https://a.example', 2)));
  assert.deepEqual(outcomes.map((o) => [o.kind, (o as { reason: string }).reason]), [
    ['retry', 'rate limiter unavailable: Connection is closed.'],
    ['retry', 'rate limiter unavailable: Connection is closed.'],
  ]);
  assert.deepEqual(inner.calls, []);
});

test('a part whose send fails is retried on its own while the others are sent', async () => {
  let calls = 0;
  const flaky: Sender = {
    async send(rs) {
      calls++;
      if (calls === 1) throw new Error('vapid key unreadable');
      return rs.map(() => ({ kind: 'delivered', status: 201 }) as Outcome);
    },
    async close() {},
  };
  // 10 a second: three parts of 10, the second and third wait for their turn after the first failed.
  const outcomes = await limited(flaky, { rate: 10 }).send(to(recipients('https://a.example', 30)));
  assert.deepEqual(outcomes.slice(0, 10).map((o) => [o.kind, (o as { reason: string }).reason]), Array(10).fill(['retry', 'sender error: vapid key unreadable']));
  assert.deepEqual(outcomes.slice(10).map((o) => o.kind), Array(20).fill('delivered'));
});
