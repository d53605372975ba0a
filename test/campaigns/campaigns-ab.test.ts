/**
 * A/B winner mode end to end, on SQLite and PostgreSQL with the clock injected: the test
 * group gets its variants, clicks are planted, and after the wait the chi-squared test
 * picks the winner for the rest of the audience, or finds none on equal rates and stops.
 * Every user ends in exactly one place: holdout, test group, or the rest.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from './campaign-fixture.ts';

const T0 = Date.parse('2027-03-02T10:00:00Z');
const HOUR = 3_600_000;
// 200 users: about 90 in the test group. The split follows a hash of the campaign's random
// id, so its shares vary from run to run; with fewer users a lopsided split left an expected
// click count under 5 and the test fell back to send_best.
const USERS = 200;

for (const kind of STORES) {
  describe(`A/B winner mode (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0;
    const userOf = new Map<string, string>();
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const wavesOf = (id: string) => c.ctx.store.db.selectFrom('notifications').select(['id', 'send_at', 'status', 'wave']).where('campaign_id', '=', id).orderBy('created_at').execute();
    const settle = async (id: string) => {
      for (const w of await wavesOf(id)) if (w.send_at <= clock) await c.waitCompleted(app.id, app.secretKey, w.id);
    };
    /** Titles each user's device showed for the campaign. */
    const shown = async (id: string) => {
      const waves = new Set((await wavesOf(id)).map((w) => w.id));
      const got = new Map<string, string[]>();
      for (const r of sink.received) {
        const n = (r.json as any)?.notification;
        if (!waves.has(n?.data?.id)) continue;
        const user = userOf.get(r.subscriptionId)!;
        got.set(user, [...(got.get(user) ?? []), n.title]);
      }
      return got;
    };
    /** Clicks for the test group's sends: `rate(variant)` of each variant's recipients click. */
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
      const seen = new Map<string, number>();
      for (const s of sent) {
        const k = (seen.get(s.variant!) ?? 0) + 1;
        seen.set(s.variant!, k);
        // The first rate × n of each variant click: an exact share, not a random one.
        if (k > Math.round(rate(s.variant!) * sent.filter((x) => x.variant === s.variant).length)) continue;
        await db.insertInto('events').values({ app_id: app.id, type: 'clicked', notification_id: s.notification_id, subscription_id: s.id, action: null, dedupe_key: `clicked:${s.notification_id}:${s.id}`, at: clock, received_at: clock }).execute();
      }
      return sent.length;
    };
    const decided = async (id: string) => {
      for (let i = 0; i < 400; i++) {
        const got = (await call('GET', `/campaigns/${id}`)).body;
        if (got.decision !== null) return got;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error('no decision');
    };
    const abCampaign = async (name: string, otherwise: 'send_best' | 'stop') => {
      const res = await call('POST', '/campaigns', {
        name,
        audience: { filter: { attribute: 'ab', op: 'eq', value: true } },
        content: { en: { title: 'A: spring sale' } },
        variants: { split: [{ id: 'A', weight: 1 }, { id: 'B', weight: 1, content: { en: { title: 'B: 20% off today' } } }], holdout: 0.1, winner: { testShare: 0.5, wait: '2h', otherwise } },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const launched = await call('POST', `/campaigns/${res.body.id}/launch`);
      assert.equal(launched.status, 200, JSON.stringify(launched.body));
      return res.body.id as string;
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 25 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (let i = 0; i < USERS; i++) {
        const id = `ab${String(i).padStart(3, '0')}`;
        userOf.set(await userWithDevice(c, sink, app, id, { attributes: { ab: true } }), id);
      }
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a planted difference: after the wait the test picks B at p < 0.05, and the rest get B; everyone is in one place, once', async () => {
      const id = await abCampaign('winner', 'send_best');
      await settle(id);
      const first = await shown(id);
      const tested = await plantClicks(id, (v) => (v === 'B' ? 0.7 : 0.2));
      assert.equal(first.size, tested, 'the first phase is the test group only');
      assert.ok(tested > 60 && tested < 120, `about half of those not held out: ${tested}`);
      assert.equal((await call('GET', `/campaigns/${id}`)).body.status, 'running', 'not completed while the decision waits');

      clock += 2 * HOUR + 1000;
      const got = await decided(id);
      assert.equal(got.decision.decision, 'winner', JSON.stringify(got.decision));
      assert.equal(got.decision.variant, 'B');
      assert.ok(got.decision.pValue < 0.05, JSON.stringify(got.decision));
      await settle(id);
      const all = await shown(id);
      const counts = (await call('GET', `/campaigns/${id}`)).body.counts;
      assert.equal(counts.recipients.holdout + all.size, USERS, 'every user is held out or sent, none twice');
      for (const [user, titles] of all) assert.equal(titles.length, 1, `${user} got one message`);
      const rest = [...all].filter(([user]) => !first.has(user));
      assert.ok(rest.length > 0);
      for (const [, titles] of rest) assert.deepEqual(titles, ['B: 20% off today'], 'the rest get the winner');
      const b = counts.variants.find((v: any) => v.id === 'B');
      assert.equal(b.sent, [...all.values()].filter((t) => t[0]!.startsWith('B')).length);
      assert.equal((await call('GET', `/campaigns/${id}`)).body.status, 'completed');
    });

    test('equal rates: no winner, and a campaign set to stop sends the rest nothing, each recorded as no_winner', async () => {
      clock = T0 + 24 * HOUR;
      const id = await abCampaign('no winner', 'stop');
      await settle(id);
      const first = await shown(id);
      await plantClicks(id, () => 0.3);
      clock += 2 * HOUR + 1000;
      const got = await decided(id);
      assert.equal(got.decision.decision, 'stop');
      assert.equal(got.decision.variant, null);
      assert.ok(got.decision.pValue === null || got.decision.pValue >= 0.05, JSON.stringify(got.decision));
      await settle(id);
      assert.deepEqual([...(await shown(id)).keys()].sort(), [...first.keys()].sort(), 'no one beyond the test group');
      const counts = (await call('GET', `/campaigns/${id}`)).body.counts;
      assert.equal(counts.recipients.holdout + counts.recipients.sent + counts.recipients.no_winner, USERS);
      assert.ok(counts.recipients.no_winner > 0);
      const listed = await call('GET', `/campaigns/${id}/recipients?reason=no_winner&limit=1`);
      assert.equal(listed.body.data[0].reason, 'no_winner');
    });

    test('paused while the decision waits: nothing is decided until it is resumed, then the test decides', async () => {
      clock = T0 + 48 * HOUR;
      const id = await abCampaign('paused test', 'send_best');
      await settle(id);
      await plantClicks(id, (v) => (v === 'A' ? 0.7 : 0.05));
      assert.equal((await call('POST', `/campaigns/${id}/pause`)).body.status, 'paused');
      clock += 3 * HOUR;
      await drained(c);
      assert.equal((await call('GET', `/campaigns/${id}`)).body.decision, null, 'no decision while paused');
      assert.equal((await call('POST', `/campaigns/${id}/resume`)).body.status, 'running');
      clock += 2 * HOUR + 1000;
      const got = await decided(id);
      assert.deepEqual([got.decision.decision, got.decision.variant], ['winner', 'A'], JSON.stringify(got.decision));
    });
  });
}
