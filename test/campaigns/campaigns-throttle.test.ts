/**
 * A campaign's throttle end to end: `throttle: {"perMinute": N}` holds the campaign's sends,
 * over all its waves, to at most N in any minute; the rest wait for their turn (counted
 * `throttled` in the campaign's progress) and are sent, none dropped. On SQLite and
 * PostgreSQL with the clock injected (the waits are the queue's delays, on the store's
 * clock); on PostgreSQL + Redis, where BullMQ's delays follow Redis's clock, two workers of
 * one installation share the one bucket.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from './campaign-fixture.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const PER_MINUTE = 1;
const USERS = 20;
/** Of them, in Kathmandu (+05:45); the rest in Kolkata (+05:30), whose 09:00 comes 15 minutes later. */
const FIRST_WAVE = 18;

/** The most sends in any half-open minute [t, t + 60 s). */
function busiestMinute(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 60_000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

for (const kind of STORES) {
  describe(`campaign throttle (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0;
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });

    before(async () => {
      c = await startCarillon(kind, { batchSize: 4 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      // Two zones, so the campaign goes as two waves, the second due while the first is still paced.
      for (let i = 0; i < USERS; i++) await userWithDevice(c, sink, app, `u${i}`, { timezone: i < FIRST_WAVE ? 'Asia/Kathmandu' : 'Asia/Kolkata', attributes: { group: 'a' } });
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a throttle that is not a whole number of sends a minute from 1 to 1,000,000 is refused with a pointer, and nothing is saved', async () => {
      const base = { name: 'bad', audience: { filter: { attribute: 'group', op: 'eq', value: 'a' } }, content: { en: { title: 'Hello' } } };
      for (const throttle of [{ perMinute: 0 }, { perMinute: 1.5 }, { perMinute: '5' }, { perMinute: 1_000_001 }, { perMinute: 5, burst: 2 }, {}, 5]) {
        const res = await call('POST', '/campaigns', { ...base, throttle });
        assert.equal(res.status, 400, JSON.stringify(throttle));
        assert.match(String(res.headers['content-type']), /application\/problem\+json/);
        const pointers = [res.body.pointer, ...(res.body.errors ?? []).map((e: { pointer?: string }) => e.pointer)].filter(Boolean);
        assert.ok(pointers.some((p: string) => p.startsWith('#/throttle')), `${JSON.stringify(throttle)}: ${JSON.stringify(res.body)}`);
      }
      assert.equal((await call('GET', '/campaigns')).body.data.length, 0);
    });

    test(`at ${PER_MINUTE} a minute, ${USERS} recipients over two overlapping waves go out at no more than ${PER_MINUTE} in any minute, all of them, the rest counted as waiting`, async () => {
      clock = Date.parse('2026-12-02T03:00:00Z'); // 08:45 in Kathmandu, 08:30 in Kolkata
      const created = await call('POST', '/campaigns', {
        name: 'paced',
        audience: { filter: { attribute: 'group', op: 'eq', value: 'a' } },
        content: { en: { title: 'Hello' } },
        schedule: { localTime: { date: '2026-12-02', time: '09:00' } },
        throttle: { perMinute: PER_MINUTE },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as string;
      const launched = await call('POST', `/campaigns/${id}/launch`);
      assert.equal(launched.status, 200, JSON.stringify(launched.body));
      const times: number[] = [];
      let seenThrottled = 0;
      const step = async () => {
        await drained(c);
        const before = times.length;
        for (let i = before; i < sink.received.length; i++) times.push(clock);
        const counts = (await call('GET', `/campaigns/${id}`)).body.counts;
        seenThrottled = Math.max(seenThrottled, counts.throttled);
        return counts;
      };
      // Kathmandu's wave at 03:15Z; Kolkata's at 03:30Z, while Kathmandu's is still paced.
      clock = Date.parse('2026-12-02T03:15:00Z');
      let counts = await step();
      assert.equal(sink.received.length, 1, 'a bucket of one: one send at once');
      assert.equal(counts.throttled, FIRST_WAVE - 1, 'the rest of the first wave waits for its turn');
      for (let t = 0; t < 120 && sink.received.length < USERS; t++) {
        clock += 20_000;
        counts = await step();
      }
      assert.equal(sink.received.length, USERS, `all sent, none dropped: ${JSON.stringify(counts)}`);
      assert.equal(new Set(sink.received.map((r) => r.subscriptionId)).size, USERS, 'each once');
      assert.ok(busiestMinute(times) <= PER_MINUTE, `at most ${PER_MINUTE} in any minute: ${times.map((t) => (t - T0) / 1000)}`);
      // One bucket for both waves: a bucket each would have sent Kolkata's at 03:30 beside Kathmandu's.
      assert.ok(times.at(-1)! >= Date.parse('2026-12-02T03:34:00Z'), 'twenty sends at one a minute take nineteen minutes after the first');
      assert.ok(seenThrottled >= FIRST_WAVE - 1, 'the waiting ones were visible');
      counts = await step();
      assert.equal(counts.recipients.sent, USERS);
      assert.equal(counts.throttled, 0);
      assert.equal(counts.failed, 0, 'a wait for the throttle is not a failed attempt');
    });
  });
}

describe('campaign throttle (postgres+redis): two workers take from one bucket', { timeout: 60_000 }, () => {
  let sink: PushSink;
  let first: TestCarillon;
  let second: TestCarillon;

  before(async () => {
    sink = await startPushSink();
    const queuePrefix = `t_${randomBytes(6).toString('hex')}`;
    const overrides = { batchSize: 2, workerConcurrency: 2, masterKey: randomBytes(32).toString('base64') };
    first = await startCarillon('postgres+redis', overrides, { queuePrefix });
    second = await startCarillon('postgres+redis', { ...overrides, databaseUrl: first.ctx.config.databaseUrl }, { queuePrefix });
  });
  after(async () => {
    await second?.stop();
    await first?.stop();
    await sink?.close();
  });

  test('at 2 a minute (a bucket of one), ten recipients in five batches on two workers: one goes, nine wait', async () => {
    const app = await first.createApp();
    for (let i = 0; i < 10; i++) await userWithDevice(first, sink, app, `u${i}`, { attributes: { group: 'a' } });
    const call = (method: string, path: string, body?: unknown) => first.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const created = await call('POST', '/campaigns', { name: 'paced', audience: { filter: { attribute: 'group', op: 'eq', value: 'a' } }, content: { en: { title: 'Hello' } }, throttle: { perMinute: 2 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.equal((await call('POST', `/campaigns/${id}/launch`)).status, 200);
    // Until the five first batches have run (each sent its share or handed the rest back).
    const db = first.ctx.store.db;
    for (let i = 0; ; i++) {
      const open = await db.selectFrom('delivery_batches as b').innerJoin('notifications as n', 'n.id', 'b.notification_id').select('b.id').where('n.campaign_id', '=', id).where('b.attempt', '=', 1).where('b.done', '=', 0).execute();
      const all = await db.selectFrom('delivery_batches as b').innerJoin('notifications as n', 'n.id', 'b.notification_id').select('b.id').where('n.campaign_id', '=', id).where('b.attempt', '=', 1).execute();
      if (all.length === 5 && open.length === 0) break;
      assert.ok(i < 1000, 'the batches ran');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(sink.received.length, 1, 'one bucket for both workers: a bucket each would have let two go');
    const counts = (await call('GET', `/campaigns/${id}`)).body.counts;
    assert.equal(counts.throttled, 9);
    assert.equal(counts.failed, 0);
  });
});
