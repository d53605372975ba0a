/**
 * The rate per push service origin holds for the installation, not per worker: two
 * workers on one PostgreSQL and Redis, sending one notification to 1,200 browsers of one
 * push service limited to 200 messages a second, take as long as one bucket allows, and
 * both take part. A limiter per worker instead fails this.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

const RATE = 200;
const RECIPIENTS = 1_200;

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

  test(`${RECIPIENTS} messages to one origin at ${RATE}/s from two workers take the time one rate allows, all delivered`, async () => {
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

    // One shared bucket of one second's worth: the last message cannot be sent before
    // (N - bucket) / rate seconds after the first, 5 s here; a bucket per worker would let
    // two workers finish in 2 s. Arrival times blur send times by a little, never by a
    // second, and a slow machine only spreads them more.
    const times = sink.received.map((r) => r.receivedAt).sort((a, b) => a - b);
    const spread = (times.at(-1)! - times[0]!) / 1000;
    const least = (RECIPIENTS - RATE) / RATE;
    assert.ok(spread >= least - 1, `spread over ${spread.toFixed(1)} s; the rate allows no less than ${least} s`);
    // And no second sees much more than a full bucket and a second's refill (2 × rate).
    let busiest = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1_000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    assert.ok(busiest <= 3 * RATE, `busiest second: ${busiest} messages`);

    const sentBy = async (c: TestCarillon) => {
      const metrics = (await c.api('GET', '/metrics')).body as string;
      return Number(/carillon_push_outcomes_total\{outcome="delivered",provider="webpush"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    const [one, two] = [await sentBy(first), await sentBy(second)];
    assert.equal(one + two, RECIPIENTS);
    assert.ok(one > 0 && two > 0, `both workers sent: ${one} and ${two}`);
  });
});
