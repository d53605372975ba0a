/**
 * Campaign policy end to end, on SQLite, PostgreSQL and PostgreSQL + Redis with the clock injected: frequency
 * caps across campaigns and categories over rolling windows, quiet hours holding a wave
 * and releasing it, variants by weight with a holdout, strict templates, test sends,
 * recurring runs, pause, resume and cancel, and the recipients listed by reason.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from './campaign-fixture.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z'); // 11:00 in Paris, a Tuesday
const HOUR = 3_600_000;
const USERS = 40;

for (const kind of DEPLOYMENTS) {
  describe(`campaign policy (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0;
    const userOf = new Map<string, string>();
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const wavesOf = (id: string) => c.ctx.store.db.selectFrom('notifications').select(['id', 'send_at', 'status']).where('campaign_id', '=', id).orderBy('send_at').execute();
    const settle = async (id: string) => {
      for (const w of await wavesOf(id)) if (w.send_at <= clock && w.status !== 'cancelled') await c.waitCompleted(app.id, app.secretKey, w.id);
    };
    /** Users whose device got a notification of the campaign. */
    const reached = async (id: string) => {
      const waves = new Set((await wavesOf(id)).map((w) => w.id));
      return [...new Set(sink.received.filter((r) => waves.has((r.json as any)?.notification?.data?.id)).map((r) => userOf.get(r.subscriptionId)!))].sort();
    };
    const campaign = async (body: Record<string, unknown>) => {
      const res = await call('POST', '/campaigns', { name: 'c', audience: { filter: { attribute: 'group', op: 'eq', value: 'a' } }, content: { en: { title: 'Hello {{ user.attributes.name }}' } }, category: 'promotions', ...body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const launch = async (id: string) => {
      const res = await call('POST', `/campaigns/${id}/launch`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const counts = async (id: string) => (await call('GET', `/campaigns/${id}`)).body.counts;
    // BullMQ keeps delayed jobs on Redis's clock, which a test cannot move: what waits for a
    // later instant (quiet hours, recurring runs, a paused `at`) is checked where the queue
    // takes the runtime's clock; the rest runs on all three.
    const onRedis = kind === 'postgres+redis';

    before(async () => {
      c = await startCarillon(kind, { batchSize: 7 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (let i = 0; i < USERS; i++) {
        const id = `u${String(i).padStart(2, '0')}`;
        // Group a: u00-u19; b: u20-u39. Every fifth user has no name.
        userOf.set(await userWithDevice(c, sink, app, id, { timezone: 'Europe/Paris', attributes: { group: i < 20 ? 'a' : 'b', ...(i % 5 === 0 ? {} : { name: `N${i}` }) } }), id);
      }
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('caps: at most 2 promotions a day and 3 of anything in 7 days, across campaigns, in rolling windows; a campaign may ignore them', async () => {
      const set = await call('PATCH', '/campaign-settings', { capRules: [{ max: 2, window: '24h', category: 'promotions' }, { max: 3, window: '7d' }] });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const first = await campaign({ name: 'p1' });
      await launch(first);
      await settle(first);
      clock += HOUR;
      const second = await campaign({ name: 'p2' });
      await launch(second);
      await settle(second);
      clock += HOUR;
      const third = await campaign({ name: 'p3' });
      await launch(third);
      await settle(third);
      assert.equal((await reached(third)).length, 0, 'a third promotion in 24 h goes to no one');
      const c3 = await counts(third);
      assert.equal(c3.recipients.capped, 20);
      assert.equal(c3.recipients.sent, 0);
      const list = await call('GET', `/campaigns/${third}/recipients?reason=capped&limit=5`);
      assert.equal(list.body.data.length, 5);
      assert.match(list.body.data[0].detail, /2 .*24h.*promotions|promotions.*24h/);
      const page2 = await call('GET', `/campaigns/${third}/recipients?reason=capped&limit=5&cursor=${list.body.next}`);
      assert.equal(page2.body.data.length, 5);
      assert.ok(!page2.body.data.some((r: any) => list.body.data.some((q: any) => q.subscriptionId === r.subscriptionId)), 'the next page holds others');

      // Orders are not promotions: the 24 h rule does not hold them, the 7-day one does after three.
      const order = await campaign({ name: 'o1', category: 'orders' });
      await launch(order);
      await settle(order);
      assert.equal((await reached(order)).length, 20, 'the third send of the week, the first order');
      const order2 = await campaign({ name: 'o2', category: 'orders' });
      await launch(order2);
      await settle(order2);
      assert.equal((await counts(order2)).recipients.capped, 20, 'a fourth send in 7 days');
      const ignoring = await campaign({ name: 'urgent', category: 'orders', capping: { ignore: true } });
      await launch(ignoring);
      await settle(ignoring);
      assert.equal((await reached(ignoring)).length, 20, 'a campaign that ignores caps is sent');

      // Eight days on, the first sends have left every window.
      clock = T0 + 8 * 24 * HOUR;
      const later = await campaign({ name: 'p4' });
      await launch(later);
      await settle(later);
      assert.equal((await reached(later)).length, 20);
      await call('PATCH', '/campaign-settings', { capRules: null });
    });

    if (!onRedis) test('quiet hours hold a wave to the end of the window, and release it then', async () => {
      await call('PATCH', '/campaign-settings', { quietHours: { start: '21:00', end: '08:00' } });
      clock = Date.parse('2026-12-20T21:30:00Z'); // 22:30 in Paris
      const id = await campaign({ name: 'night' });
      const launched = await launch(id);
      assert.equal(launched.status, 'scheduled', 'held, not sent at launch');
      const [wave] = await wavesOf(id);
      assert.equal(new Date(wave!.send_at).toISOString(), '2026-12-21T07:00:00.000Z', '08:00 in Paris');
      assert.deepEqual(await reached(id), []);
      // Held, not yet sent: each recipient has its reason, and says until when.
      const holding = await counts(id);
      assert.equal(holding.recipients.quiet_held, 20);
      assert.equal(holding.recipients.sent, 0);
      const first = await call('GET', `/campaigns/${id}/recipients?reason=quiet_held&limit=15`);
      assert.equal(first.body.data.length, 15);
      const rest = await call('GET', `/campaigns/${id}/recipients?reason=quiet_held&limit=15&cursor=${first.body.next}`);
      assert.equal(rest.body.data.length, 5, 'paged, each once');
      assert.equal(new Set([...first.body.data, ...rest.body.data].map((h: any) => h.subscriptionId)).size, 20);
      const h = first.body.data[0];
      assert.equal(h.reason, 'quiet_held');
      assert.equal(h.detail, 'held by quiet hours (21:00-08:00, the app’s) until 2026-12-21T07:00:00.000Z');
      assert.equal(h.at, '2026-12-20T21:30:00.000Z', 'held since it was due');
      assert.deepEqual(h.timing.quiet, { window: '21:00-08:00', source: 'app', until: '2026-12-21T07:00:00.000Z' });
      assert.equal((await call('GET', `/campaigns/${id}/recipients?limit=100`)).body.data.length, 20, 'listed without a reason too');
      clock = Date.parse('2026-12-21T07:00:05Z');
      await settle(id);
      assert.equal((await reached(id)).length, 20);
      const r = await call('GET', `/campaigns/${id}/recipients?reason=sent&limit=1`);
      assert.deepEqual(r.body.data[0].timing.quiet, { window: '21:00-08:00', source: 'app', until: '2026-12-21T07:00:00.000Z' }, 'sent, and it says it was held and until when');
      const released = await counts(id);
      assert.equal(released.heldByQuietHours, 20);
      assert.equal(released.recipients.quiet_held, 0, 'released: none held any more');
      assert.equal(released.recipients.sent, 20);
      await call('PATCH', '/campaign-settings', { quietHours: null });
    });

    test('variants by weight with a 20% holdout: every user in one place, the same on every run of the assignment, and counted per variant', async () => {
      clock = Date.parse('2026-12-22T10:00:00Z');
      const id = await campaign({
        name: 'ab',
        audience: { filter: { attribute: 'group', op: 'in', value: ['a', 'b'] } },
        variants: { split: [{ id: 'A', weight: 1 }, { id: 'B', weight: 1, content: { en: { title: 'B for {{ user.attributes.name | default: "you" }}' } } }], holdout: 0.2 },
      });
      await launch(id);
      await settle(id);
      const n = await counts(id);
      const byId = Object.fromEntries(n.variants.map((v: any) => [v.id, v.sent]));
      assert.equal(n.recipients.holdout + byId.A + byId.B, USERS, 'everyone is in exactly one place');
      assert.ok(n.recipients.holdout > 0 && byId.A > 0 && byId.B > 0, JSON.stringify(n));
      const sentB = sink.received.filter((r) => /^B for /.test((r.json as any)?.notification?.title ?? ''));
      assert.equal(sentB.length, byId.B, 'variant B’s own content');
      const holdout = await call('GET', `/campaigns/${id}/recipients?reason=holdout&limit=100`);
      const reachedUsers = await reached(id);
      for (const h of holdout.body.data) assert.ok(!reachedUsers.includes(h.userId), 'the holdout receives nothing');
    });

    test('strict: a recipient whose template misses a value is skipped as render_failed; blank otherwise', async () => {
      clock = Date.parse('2026-12-23T10:00:00Z');
      const strict = await campaign({ name: 'strict', strict: true });
      await launch(strict);
      await settle(strict);
      const s = await counts(strict);
      assert.equal(s.recipients.render_failed, 4, 'u00, u05, u10 and u15 have no name');
      assert.equal(s.recipients.sent, 16);
      const failed = await call('GET', `/campaigns/${strict}/recipients?reason=render_failed`);
      assert.deepEqual(failed.body.data.map((r: any) => r.userId).sort(), ['u00', 'u05', 'u10', 'u15']);
      const lenient = await campaign({ name: 'lenient' });
      await launch(lenient);
      await settle(lenient);
      assert.equal((await counts(lenient)).recipients.sent, 20);
      assert.ok(sink.received.some((r) => (r.json as any)?.notification?.title === 'Hello '), 'blank where the name is missing');
    });

    test('a test send goes to one user now, outside caps and figures, whatever the status', async () => {
      await call('PATCH', '/campaign-settings', { capRules: [{ max: 1, window: '24h' }] });
      const id = await campaign({ name: 'draft to test', variants: { split: [{ id: 'A', weight: 1 }, { id: 'B', weight: 1, content: { en: { title: 'B!' } } }] } });
      for (let i = 0; i < 2; i++) {
        const res = await call('POST', `/campaigns/${id}/test`, { userId: 'u03', variant: 'B' });
        assert.equal(res.status, 202, JSON.stringify(res.body));
        await c.waitCompleted(app.id, app.secretKey, res.body.notificationId);
        const got = sink.received.filter((r) => (r.json as any)?.notification?.data?.id === res.body.notificationId);
        assert.deepEqual(got.map((r) => (r.json as any).notification.title), ['B!'], 'twice in a day under a cap of one: tests are outside caps');
      }
      const n = await call('GET', `/campaigns/${id}`);
      assert.equal(n.body.status, 'draft');
      assert.equal(n.body.counts.waves, 0);
      assert.equal((await call('POST', `/campaigns/${id}/test`, { userId: 'nobody' })).body.code, 'user_not_found');
      assert.equal((await call('POST', `/campaigns/${id}/test`, { userId: 'u03', variant: 'Z' })).body.code, 'invalid_request');
      await call('PATCH', '/campaign-settings', { capRules: null });
    });

    if (!onRedis) test('recurring: each run is its own wave with its own counts, on the cron’s own zone; pause holds the next run, resume goes on, cancel ends it', async () => {
      clock = Date.parse('2026-12-28T06:00:00Z'); // a Monday, 07:00 in Paris
      const id = await campaign({ name: 'weekly', schedule: { recurring: { cron: '0 9 * * MON', timezone: 'Europe/Paris' } } });
      const launched = await launch(id);
      assert.equal(launched.status, 'scheduled');
      assert.equal(launched.nextRunAt, '2026-12-28T08:00:00.000Z');
      clock = Date.parse('2026-12-28T08:00:10Z');
      for (let i = 0; i < 200 && (await wavesOf(id)).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      await settle(id);
      assert.equal((await reached(id)).length, 20);
      const afterOne = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(afterOne.runs, 1);
      assert.equal(afterOne.nextRunAt, '2027-01-04T08:00:00.000Z');
      assert.equal((await call('POST', `/campaigns/${id}/pause`)).body.status, 'paused');
      clock = Date.parse('2027-01-04T08:00:10Z');
      await drained(c);
      assert.equal((await wavesOf(id)).length, 1, 'no run while paused');
      const resumed = await call('POST', `/campaigns/${id}/resume`);
      assert.equal(resumed.body.status, 'scheduled');
      assert.equal(resumed.body.nextRunAt, '2027-01-11T08:00:00.000Z', 'the next run from now, not the one missed');
      clock = Date.parse('2027-01-11T08:00:10Z');
      for (let i = 0; i < 200 && (await wavesOf(id)).length === 1; i++) await new Promise((r) => setTimeout(r, 20));
      await settle(id);
      const afterTwo = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(afterTwo.runs, 2, 'the run after the resume happens');
      assert.equal(afterTwo.counts.waves, 2);
      assert.equal(afterTwo.counts.recipients.sent, 40, 'each run its own sends: 20 and 20');
      const cancelled = await call('POST', `/campaigns/${id}/cancel`);
      assert.equal(cancelled.body.status, 'cancelled');
      assert.equal((await call('POST', `/campaigns/${id}/resume`)).body.code, 'campaign_status');
      assert.equal((await call('PATCH', `/campaigns/${id}`, { name: 'renamed' })).body.code, 'campaign_not_editable');
    });

    if (!onRedis) test('pause holds the waves not yet begun, resume sends them, and a launched campaign cannot be launched again', async () => {
      clock = Date.parse('2027-02-01T10:00:00Z');
      const id = await campaign({ name: 'later', schedule: { at: '2027-02-01T12:00:00Z' } });
      await launch(id);
      const again = await call('POST', `/campaigns/${id}/launch`);
      assert.equal(again.body.code, 'campaign_status', JSON.stringify(again.body));
      assert.equal((await call('POST', `/campaigns/${id}/pause`)).body.status, 'paused');
      clock = Date.parse('2027-02-01T12:00:10Z');
      await drained(c);
      assert.deepEqual(await reached(id), [], 'held while paused');
      assert.equal((await call('POST', `/campaigns/${id}/resume`)).body.status, 'running');
      await settle(id);
      assert.equal((await reached(id)).length, 20, JSON.stringify(await counts(id)));
      assert.equal((await call('GET', `/campaigns/${id}`)).body.status, 'completed');
    });

    if (!onRedis)
      test('a campaign launched now and paused before its fan-out began is held whole, and its resume sends each user once', async () => {
        clock = Date.parse('2027-03-01T10:00:00Z');
        await c.ctx.queue.stop();
        const id = await campaign({ name: 'held at once' });
        await launch(id);
        assert.equal((await call('POST', `/campaigns/${id}/pause`)).body.status, 'paused');
        const [wave] = await wavesOf(id);
        assert.equal(wave!.status, 'cancelled', 'a wave due now but not yet cut is held too');
        c.startWorkers();
        await drained(c);
        assert.deepEqual(await reached(id), [], 'nothing went while paused');
        assert.equal((await call('POST', `/campaigns/${id}/resume`)).body.status, 'running');
        await settle(id);
        const got = await reached(id);
        assert.equal(got.length, 20);
        const n = await counts(id);
        assert.equal(n.recipients.sent, 20, 'each once: the held wave sent nothing, its resumed one everyone');
      });
  });
}
