/**
 * Frequency caps over send_records on SQLite and PostgreSQL: rows planted as the pipeline
 * writes them (one per recipient device, counts_for_caps = 1 for a marketing send that went
 * out), an injected `now`, and the users each rule caps worked out by hand; then a seeded
 * random history checked against the rules evaluated in memory, and the query count.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely, type KyselyPlugin } from 'kysely';
import type { Database, SendRecordsTable } from '../../src/store/schema.ts';
import { cappedUsers, type CapRule } from '../../src/campaigns/policy/index.ts';
import { createApp, ENGINES, openAudienceStore, type AudienceStore } from '../audience/audience-store.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RULES: CapRule[] = [
  { max: 3, window: '24h', category: 'promotions' },
  { max: 10, window: '7d' },
];

type Planted = Pick<SendRecordsTable, 'notification_id' | 'user_seq' | 'category' | 'at'> & Partial<Pick<SendRecordsTable, 'app_id' | 'counts_for_caps' | 'reason' | 'subscription_seq' | 'campaign_id' | 'test'>>;

/** Notifications (send_records references them), then the rows. */
async function plant(db: Kysely<Database>, rows: Planted[]): Promise<void> {
  const ids = new Map(rows.map((r) => [r.notification_id, r.app_id ?? 'app_a']));
  const existing = new Set((await db.selectFrom('notifications').select('id').execute()).map((r) => r.id));
  const fresh = [...ids].filter(([id]) => !existing.has(id)).map(([id, app]) => ({
    id, app_id: app, status: 'completed' as const, target: '{}', content: '{}', ttl: 0, urgency: 'normal', topic: null, send_at: 0,
    idempotency_key: null, request_hash: null, fanout_cursor: 0, fanout_done: 1, targeted: 0, created_at: 0, completed_at: 0, category: null, audience: null,
  }));
  for (let i = 0; i < fresh.length; i += 100) await db.insertInto('notifications').values(fresh.slice(i, i + 100)).execute();
  const values = rows.map((r) => ({
    app_id: r.app_id ?? 'app_a', notification_id: r.notification_id, campaign_id: r.campaign_id ?? null, variant: null, user_seq: r.user_seq,
    subscription_seq: r.subscription_seq ?? null, category: r.category, reason: r.reason ?? 'sent', detail: null, counts_for_caps: r.counts_for_caps ?? 1,
    test: r.test ?? 0, timing: null, at: r.at,
  }));
  for (let i = 0; i < values.length; i += 200) await db.insertInto('send_records').values(values.slice(i, i + 200)).execute();
}

/** A send of notification `n` to user `u` `ago` ms before NOW; options override the rest. */
const send = (n: string, u: number, category: string | null, ago: number, extra: Partial<Planted> = {}): Planted => ({ notification_id: n, user_seq: u, category, at: NOW - ago, ...extra });

/** Counts the statements a function runs through the returned db. */
function counting(db: Kysely<Database>): { db: Kysely<Database>; count(): number } {
  let n = 0;
  const plugin: KyselyPlugin = {
    transformQuery(args) {
      n++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), count: () => n };
}

for (const engine of ENGINES) {
  describe(`frequency caps over send_records (${engine})`, () => {
    let store: AudienceStore;

    before(async () => {
      store = await openAudienceStore(engine);
      await createApp(store.db, 'app_a');
      await createApp(store.db, 'app_b');
      await plant(store.db, [
        // 1: three promotions in the last day, from three campaigns: capped for a fourth.
        send('n1', 1, 'promotions', 2 * HOUR, { campaign_id: 'c1' }), send('n2', 1, 'promotions', 5 * HOUR, { campaign_id: 'c2' }), send('n3', 1, 'promotions', 23 * HOUR, { campaign_id: 'c3' }),
        // 2: two promotions, the first to three devices: two notifications, not three.
        send('n1', 2, 'promotions', 2 * HOUR, { subscription_seq: 21 }), send('n1', 2, 'promotions', 2 * HOUR, { subscription_seq: 22 }), send('n1', 2, 'promotions', 2 * HOUR, { subscription_seq: 23 }),
        send('n2', 2, 'promotions', 5 * HOUR),
        // 3: the oldest of three exactly 24 h ago has left the window; the newest 1 ms inside it.
        send('n1', 3, 'promotions', 2 * HOUR), send('n4', 3, 'promotions', DAY - 1), send('n5', 3, 'promotions', DAY),
        // 4: ten sends this week, none a promotion in the last day: the 7-day rule caps every category.
        ...Array.from({ length: 10 }, (_, i) => send(`w${i}`, 4, i % 2 ? 'orders' : null, DAY + i * 12 * HOUR)),
        // 5: three promotions that do not count (a test send, a record of a capped recipient, a send that counts for nothing).
        send('n1', 5, 'promotions', HOUR, { counts_for_caps: 0, test: 1 }), send('n2', 5, 'promotions', HOUR, { counts_for_caps: 0, reason: 'capped' }), send('n3', 5, 'promotions', HOUR, { counts_for_caps: 0 }),
        // 6: three promotions in another app.
        send('b1', 6, 'promotions', HOUR, { app_id: 'app_b' }), send('b2', 6, 'promotions', HOUR, { app_id: 'app_b' }), send('b3', 6, 'promotions', HOUR, { app_id: 'app_b' }),
        // 7: five promotions two days ago: out of the day's window, under the week's.
        ...Array.from({ length: 5 }, (_, i) => send(`p${i}`, 7, 'promotions', 2 * DAY + i * HOUR)),
        // 8: both rules: three promotions today and seven more sends this week.
        send('n1', 8, 'promotions', HOUR), send('n2', 8, 'promotions', HOUR), send('n3', 8, 'promotions', HOUR),
        ...Array.from({ length: 7 }, (_, i) => send(`w${i}`, 8, 'orders', 2 * DAY)),
        // 9: three orders today: the promotions rule does not count them.
        send('o1', 9, 'orders', HOUR), send('o2', 9, 'orders', HOUR), send('o3', 9, 'orders', HOUR),
      ]);
    });
    after(() => store.close());

    const users = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const capped = async (category: string | null, now = NOW, rules = RULES) => {
      const map = await cappedUsers(store.db, 'app_a', users, category, now, rules);
      return Object.fromEntries([...map].sort(([a], [b]) => a - b).map(([u, hit]) => [u, [hit.index, hit.count]]));
    };

    test('a promotions send: the day’s promotions rule and the week’s rule, first rule named', async () => {
      assert.deepEqual(await capped('promotions'), { 1: [0, 3], 4: [1, 10], 8: [0, 3] });
    });

    test('an orders send or one without category: only the rule without category applies', async () => {
      assert.deepEqual(await capped('orders'), { 4: [1, 10], 8: [1, 10] });
      assert.deepEqual(await capped(null), { 4: [1, 10], 8: [1, 10] });
    });

    test('windows roll with now: a send leaves the count when it is exactly window old', async () => {
      // User 1's oldest promotion (23 h before NOW) leaves the day at NOW + 1 h.
      assert.deepEqual((await capped('promotions', NOW + HOUR - 1))[1], [0, 3]);
      assert.equal((await capped('promotions', NOW + HOUR))[1], undefined);
      // User 3 has 2 in the window at NOW; a fourth send 1 ms before would make 3.
      assert.equal((await capped('promotions'))[3], undefined);
      await plant(store.db, [send('n6', 3, 'promotions', 1)]);
      assert.deepEqual((await capped('promotions'))[3], [0, 3]);
      // `now` decides, not the machine's clock: 2 ms earlier the send of exactly 24 h ago is
      // still inside, and the one stamped after that `now` (a worker whose clock runs ahead)
      // counts too, so skew never loosens a cap.
      assert.deepEqual((await capped('promotions', NOW - 2))[3], [0, 4]);
    });

    test('the notification being sent does not count against itself (devices in later batches, retries)', async () => {
      // User 1's third promotion is n3: sending n3 to their other devices is not a fourth.
      const rest = await cappedUsers(store.db, 'app_a', [1, 8], 'promotions', NOW, RULES, { notificationId: 'n3' });
      assert.equal(rest.get(1), undefined);
      // User 8 has seven more this week: n3 aside, 2 + 7 = 9, under both rules.
      assert.equal(rest.get(8), undefined);
      // A new notification still sees all three.
      assert.deepEqual((await cappedUsers(store.db, 'app_a', [1], 'promotions', NOW, RULES, { notificationId: 'n9' })).get(1)?.count, 3);
    });

    test('no rule, no rule that applies, no users, or a security or civic send: nothing capped and no query', async () => {
      const c = counting(store.db);
      assert.equal((await cappedUsers(c.db, 'app_a', users, 'promotions', NOW, [])).size, 0);
      assert.equal((await cappedUsers(c.db, 'app_a', users, 'orders', NOW, [RULES[0]!])).size, 0);
      assert.equal((await cappedUsers(c.db, 'app_a', [], 'promotions', NOW, RULES)).size, 0);
      // User 4 is over the 7-day rule, but security and civic sends are never capped.
      assert.equal((await cappedUsers(c.db, 'app_a', users, 'security', NOW, RULES)).size, 0);
      assert.equal((await cappedUsers(c.db, 'app_a', users, 'civic', NOW, RULES)).size, 0);
      assert.equal(c.count(), 0);
    });

    test('a page of users is one grouped query; a list over a statement’s share is split', async () => {
      const c = counting(store.db);
      const page = Array.from({ length: 500 }, (_, i) => i + 1);
      assert.deepEqual([...(await cappedUsers(c.db, 'app_a', page, 'promotions', NOW, RULES)).keys()].sort((a, b) => a - b), [1, 3, 4, 8]);
      assert.equal(c.count(), 1);
      const big = Array.from({ length: 2500 }, (_, i) => 2500 - i);
      assert.deepEqual([...(await cappedUsers(c.db, 'app_a', big, 'promotions', NOW, RULES)).keys()].sort((a, b) => a - b), [1, 3, 4, 8]);
      assert.equal(c.count(), 4);
    });

    test('a random history agrees with the rules evaluated in memory', async () => {
      const { db } = store;
      await sql`delete from send_records where app_id = 'app_b'`.execute(db);
      // A seeded LCG: the same history on every run and both engines.
      let state = 12345;
      const rand = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const cats = ['promotions', 'orders', 'news', null];
      const rows: Planted[] = [];
      for (let i = 0; i < 3000; i++) {
        const n = `r${Math.floor(rand() * 400)}`;
        rows.push({ app_id: 'app_b', notification_id: n, user_seq: 1000 + Math.floor(rand() * 200), category: cats[Math.floor(rand() * 4)]!, at: NOW - Math.floor(rand() * 9 * DAY), counts_for_caps: rand() < 0.85 ? 1 : 0 });
      }
      await plant(db, rows);
      const rules: CapRule[] = [{ max: 2, window: '12h', category: 'promotions' }, { max: 4, window: '3d', category: 'news' }, { max: 12, window: '7d' }, { max: 6, window: '2d' }];
      const seqs = Array.from({ length: 200 }, (_, i) => 1000 + i);
      for (const category of ['promotions', 'news', 'orders', null]) {
        const expected = new Map<number, number>();
        for (const u of seqs) {
          const index = rules.findIndex((r, i) => {
            if (r.category !== undefined && r.category !== category) return false;
            const since = NOW - [12 * HOUR, 3 * DAY, 7 * DAY, 2 * DAY][i]!;
            const ids = new Set(rows.filter((x) => x.user_seq === u && x.counts_for_caps === 1 && x.at > since && (r.category === undefined || x.category === r.category)).map((x) => x.notification_id));
            return ids.size >= r.max;
          });
          if (index >= 0) expected.set(u, index);
        }
        const got = await cappedUsers(db, 'app_b', seqs, category, NOW, rules);
        assert.deepEqual(new Map([...got].map(([u, h]) => [u, h.index])), expected, String(category));
        assert.ok(expected.size > 10 && expected.size < 190, `the history caps some users and not others (${expected.size})`);
      }
    });
  });
}
