/**
 * Winner mode with the intelligent schedule, end to end on SQLite and PostgreSQL with the
 * clock injected: the test group gets its variants each at their own best hour (from a
 * planted click history), the decision comes once the test's last wave has waited, and
 * the rest get the winner each at their own best hour from then (or, on `stop`, are
 * recorded `no_winner`). Every user ends in exactly one place, sent at most once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from './campaign-fixture.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.parse('2027-03-02T06:00:00Z'); // 07:00 in Paris
// Even users click at 17:30 in Paris, odd ones at 10:30: their hours are 17:00 and 10:00.
const EVENING = '16:30';
const MORNING = '09:30';
const hourOf = (i: number) => (i % 2 === 0 ? 16 : 9); // UTC hour of 17:00 / 10:00 in Paris (UTC+1 in March)
const USERS = 200;

for (const kind of STORES) {
  describe(`A/B winner mode at each user's best hour (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0 - DAY;
    const userOf = new Map<string, string>();
    const indexOf = (user: string) => Number(user.slice(2));
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    /** Per user, what their device showed of the campaign and at which (injected) instant. */
    const seen = new Map<string, { title: string; at: number }[]>();
    let read = 0;
    const collect = (id: string, waves: Set<string>) => {
      for (; read < sink.received.length; read++) {
        const n = (sink.received[read]!.json as any)?.notification;
        if (!waves.has(n?.data?.id)) continue;
        const user = userOf.get(sink.received[read]!.subscriptionId)!;
        seen.set(`${id}:${user}`, [...(seen.get(`${id}:${user}`) ?? []), { title: n.title, at: clock }]);
      }
    };
    const wavesOf = async (id: string) => new Set((await c.ctx.store.db.selectFrom('notifications').select('id').where('campaign_id', '=', id).execute()).map((w) => w.id));
    /** The clock moved to `at`, what came due run. */
    const until = async (id: string, at: number) => {
      clock = at;
      await drained(c);
      collect(id, await wavesOf(id));
    };
    const shownOf = (id: string) => new Map([...seen].filter(([k]) => k.startsWith(`${id}:`)).map(([k, v]) => [k.slice(id.length + 1), v]));

    const plantHistory = async (user: string, utcTime: string) => {
      const sub = await c.ctx.store.db.selectFrom('subscriptions').select('id').where('app_id', '=', app.id).where('user_id', '=', user).executeTakeFirstOrThrow();
      const [h, m] = utcTime.split(':').map(Number);
      const rows = [1, 2, 3].map((d) => {
        const at = Date.parse('2027-03-02T00:00:00Z') - d * DAY + (h! * 60 + m!) * 60_000;
        return { app_id: app.id, type: 'clicked', notification_id: null, subscription_id: sub.id, action: null, dedupe_key: null, at, received_at: at };
      });
      await c.ctx.store.db.insertInto('events').values(rows).execute();
    };
    /** Clicks on the test group's sends: the first `rate(variant)` of each variant's recipients click. */
    const plantClicks = async (id: string, rate: (variant: string) => number) => {
      const db = c.ctx.store.db;
      const sent = await db
        .selectFrom('send_records')
        .innerJoin('subscriptions', 'subscriptions.seq', 'send_records.subscription_seq')
        .select(['send_records.notification_id', 'send_records.variant', 'subscriptions.id'])
        .where('send_records.campaign_id', '=', id)
        .where('send_records.reason', '=', 'sent')
        .orderBy('send_records.seq')
        .execute();
      const k = new Map<string, number>();
      for (const s of sent) {
        const n = (k.get(s.variant!) ?? 0) + 1;
        k.set(s.variant!, n);
        if (n > Math.round(rate(s.variant!) * sent.filter((x) => x.variant === s.variant).length)) continue;
        await db.insertInto('events').values({ app_id: app.id, type: 'clicked', notification_id: s.notification_id, subscription_id: s.id, action: null, dedupe_key: `clicked:${s.notification_id}:${s.id}`, at: clock, received_at: clock }).execute();
      }
    };
    const launch = async (name: string, otherwise: 'send_best' | 'stop') => {
      const created = await call('POST', '/campaigns', {
        name,
        audience: { filter: { attribute: 'ab', op: 'eq', value: true } },
        content: { en: { title: 'A: spring sale' } },
        schedule: { intelligent: { within: '24h', fallback: '12:00' } },
        variants: { split: [{ id: 'A', weight: 1 }, { id: 'B', weight: 1, content: { en: { title: 'B: 20% off today' } } }], holdout: 0.1, winner: { testShare: 0.5, wait: '2h', otherwise } },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const launched = await call('POST', `/campaigns/${created.body.id}/launch`);
      assert.equal(launched.status, 200, JSON.stringify(launched.body));
      assert.equal(launched.body.status, 'planning');
      return created.body.id as string;
    };
    /** The test phase, whose waves go at 10:00 and 17:00 in Paris on the launch day. */
    const testPhase = async (id: string, day: number) => {
      await until(id, day);
      const waves = await c.ctx.store.db.selectFrom('notifications').select(['send_at', 'wave']).where('campaign_id', '=', id).orderBy('send_at').execute();
      assert.deepEqual(waves.map((w) => [new Date(w.send_at).toISOString(), JSON.parse(w.wave!).phase]), [[new Date(day + 3 * HOUR).toISOString(), 'test'], [new Date(day + 10 * HOUR).toISOString(), 'test']], 'the test group at their own hours');
      await until(id, day + 3 * HOUR);
      await until(id, day + 10 * HOUR);
      const first = shownOf(id);
      for (const [user, got] of first) {
        assert.equal(got.length, 1, `${user} once`);
        assert.equal(new Date(got[0]!.at).getUTCHours(), hourOf(indexOf(user)), `${user} at their own hour`);
      }
      return first;
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 25 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (let i = 0; i < USERS; i++) {
        const id = `ab${String(i).padStart(3, '0')}`;
        userOf.set(await userWithDevice(c, sink, app, id, { timezone: 'Europe/Paris', attributes: { ab: true } }), id);
        await plantHistory(id, i % 2 === 0 ? EVENING : MORNING);
      }
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('the test group at their best hours; after the wait B wins, and the rest get B at their own best hours of the next day', async () => {
      clock = T0;
      const id = await launch('best hours', 'send_best');
      const first = await testPhase(id, T0);
      assert.ok(first.size > 60 && first.size < 120, `about half of those not held out: ${first.size}`);
      const plans = await c.ctx.store.db.selectFrom('campaign_user_plans').select('user_seq').where('campaign_id', '=', id).execute();
      const held = (await call('GET', `/campaigns/${id}`)).body.counts.recipients.holdout;
      assert.equal(plans.length, first.size + held, 'at launch only the test group and the holdout are planned');
      await plantClicks(id, (v) => (v === 'B' ? 0.7 : 0.2));
      assert.equal((await call('GET', `/campaigns/${id}`)).body.status, 'running');

      // 16:00 UTC's wave and two hours' wait: the decision at 18:00, then the rest's plan.
      await until(id, T0 + 10 * HOUR + 2 * HOUR + 1000);
      const decided = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(decided.decision?.decision, 'winner', JSON.stringify(decided.decision));
      assert.equal(decided.decision.variant, 'B');
      assert.ok(decided.decision.pValue < 0.05);
      assert.equal(decided.status, 'running');
      assert.deepEqual([decided.planning.phase, decided.planning.planned, decided.planning.total], ['winner', USERS, USERS]);
      assert.equal(shownOf(id).size, first.size, 'nothing for the rest before their hours');

      await until(id, T0 + DAY + 3 * HOUR);
      await until(id, T0 + DAY + 10 * HOUR);
      const all = shownOf(id);
      const got = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(got.counts.recipients.holdout + all.size, USERS, 'every user held out or sent');
      const rest = [...all].filter(([user]) => !first.has(user));
      assert.ok(rest.length > 60, `the rest: ${rest.length}`);
      for (const [user, shown] of rest) {
        assert.equal(shown.length, 1, `${user} once`);
        assert.equal(shown[0]!.title, 'B: 20% off today');
        assert.equal(shown[0]!.at, T0 + DAY + (hourOf(indexOf(user)) - 6) * HOUR, `${user} at their own hour of the next day`);
      }
      const records = await call('GET', `/campaigns/${id}/recipients?reason=sent&limit=1000`);
      const late = records.body.data.find((r: any) => r.userId === rest[0]![0]);
      assert.equal(late.variant, 'B');
      assert.equal(late.timing.best.source, 'user');
      assert.equal(late.timing.sendAt, new Date(T0 + DAY + (hourOf(indexOf(rest[0]![0])) - 6) * HOUR).toISOString());
      assert.equal(got.status, 'completed');
    });

    test('equal rates and stop: the rest are recorded no_winner at the decision, and sent nothing', async () => {
      clock = T0 + 3 * DAY;
      const id = await launch('stop', 'stop');
      const first = await testPhase(id, T0 + 3 * DAY);
      await plantClicks(id, () => 0.3);
      await until(id, T0 + 3 * DAY + 12 * HOUR + 1000);
      const got = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(got.decision?.decision, 'stop', JSON.stringify(got.decision));
      await until(id, T0 + 5 * DAY);
      assert.deepEqual([...shownOf(id).keys()].sort(), [...first.keys()].sort(), 'no one beyond the test group');
      const counts = (await call('GET', `/campaigns/${id}`)).body.counts;
      assert.equal(counts.recipients.holdout + counts.recipients.sent + counts.recipients.no_winner, USERS);
      assert.equal(counts.recipients.sent, first.size);
      assert.ok(counts.recipients.no_winner > 60);
      assert.equal((await call('GET', `/campaigns/${id}`)).body.status, 'completed');
    });
  });
}
