/**
 * The rate per push service origin holds for the installation, not per worker: two
 * workers on one PostgreSQL and Redis, sending one notification to 800 browsers of one
 * push service limited to 200 messages a second, never send more than a bucket (one
 * second's worth) plus a second's refill in any second, and both take part. A limiter
 * per worker instead fails this (seen: 559 in one second).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

const RATE = 200;
const RECIPIENTS = 800;

describe('scale-out: the rate limit per push service origin is shared by all workers', { timeout: 120_000 }, () => {
  let sink: PushSink;
  let first: TestCarillon;
  let second: TestCarillon;

  before(async () => {
    sink = await startPushSink();
    const queuePrefix = `t_${randomBytes(6).toString('hex')}`;
    // One installation: one master key (each opens the app's VAPID key), one queue.
    const overrides = { originRate: RATE, batchSize: 50, workerConcurrency: 2, masterKey: randomBytes(32).toString('base64') };
    first = await startCarillon('postgres+redis', overrides, { queuePrefix });
    second = await startCarillon('postgres+redis', { ...overrides, databaseUrl: first.ctx.config.databaseUrl }, { queuePrefix });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
    await sink?.close();
  });

  test(`${RECIPIENTS} messages to one origin at ${RATE}/s from two workers: about ${2 * RATE} at most in any second, all delivered`, async () => {
    const app = await first.createApp('rate limited');
    const subs = Array.from({ length: RECIPIENTS }, () => sink.subscribe());
    for (let i = 0; i < subs.length; i += 100) {
      await Promise.all(
        subs.slice(i, i + 100).map(async (s) => {
          const res = await first.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys } });
          assert.equal(res.status, 201, JSON.stringify(res.body));
        }),
      );
    }
    const sent = await first.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'Evenly paced' } });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    const done = await first.waitCompleted(app.id, app.secretKey, sent.body.id, 60_000);
    assert.equal(done.counts.delivered, RECIPIENTS, JSON.stringify(done.counts));
    assert.equal(sink.received.length, RECIPIENTS, 'each browser once');

    // A full bucket (one second's worth) plus one second of refill is the most any
    // second can see, give or take 100 ms of jitter between being sent and arriving; two
    // workers with a bucket each could send twice that.
    const times = sink.received.map((r) => r.receivedAt).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1_000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    assert.ok(busiest <= 2 * RATE + RATE / 10, `busiest second: ${busiest} messages`);
    const spread = (times.at(-1)! - times[0]!) / 1000;
    assert.ok(spread >= (RECIPIENTS - 2 * RATE) / RATE, `spread over ${spread.toFixed(1)} s`);

    const sentBy = async (c: TestCarillon) => {
      const metrics = (await c.api('GET', '/metrics')).body as string;
      return Number(/carillon_push_outcomes_total\{outcome="delivered",provider="webpush"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    const [one, two] = [await sentBy(first), await sentBy(second)];
    assert.equal(one + two, RECIPIENTS);
    assert.ok(one > 0 && two > 0, `both workers sent: ${one} and ${two}`);
  });
});
