/**
 * The caps query reads send_records through `send_records_caps` (app_id, user_seq,
 * counts_for_caps, at, category) on both engines: EXPLAIN on a history of 100,000 rows with
 * ANALYZE'd statistics. On PostgreSQL sequential scans are priced out (test/support/
 * explain.ts), so the question is whether the index serves the query at all; on SQLite
 * the plan is what it chooses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import { capsQuery, type CapRule } from '../../src/campaigns/policy/index.ts';
import { explainPlan } from '../support/explain.ts';
import { createApp, ENGINES, openAudienceStore, type AudienceStore, type Engine } from '../audience/audience-store.ts';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const DAY = 86_400_000;

async function seed(db: Kysely<any>, engine: Engine): Promise<void> {
  const n = 100_000;
  const series = (k: number) => (engine === 'postgres' ? sql`generate_series(1, ${k}) as g(i)` : sql`(with recursive s(i) as (select 1 union all select i + 1 from s where i < ${k}) select i from s) as g`);
  const now = sql`cast(${NOW} as bigint)`;
  await sql`insert into notifications (id, app_id, status, target, content, ttl, urgency, send_at, fanout_cursor, fanout_done, targeted, created_at)
    select 'n' || i, 'app_a', 'completed', '{}', '{}', 0, 'normal', 0, 0, 1, 0, 0 from ${series(500)}`.execute(db);
  // 5,000 users, 20 sends each over 40 days, across three categories and some that do not count.
  await sql`insert into send_records (app_id, notification_id, user_seq, subscription_seq, category, reason, counts_for_caps, test, at)
    select 'app_a', 'n' || (1 + i % 500), 1 + i % 5000, i, case i % 3 when 0 then 'promotions' when 1 then 'orders' else 'news' end,
      case when i % 10 = 0 then 'capped' else 'sent' end, case when i % 10 = 0 then 0 else 1 end, 0, ${now} - (i % 40) * cast(${DAY} as bigint) - i % 1000
    from ${series(n)}`.execute(db);
  await sql`analyze`.execute(db);
}

const RULE_SETS: [string, string | null, CapRule[]][] = [
  ['a promotions send under the issue’s two rules', 'promotions', [{ max: 3, window: '24h', category: 'promotions' }, { max: 10, window: '7d' }]],
  ['a promotions send under a promotions rule alone (only that category’s rows asked for)', 'promotions', [{ max: 3, window: '24h', category: 'promotions' }]],
  ['a send without category under a rule without one', null, [{ max: 10, window: '30d' }]],
];

for (const engine of ENGINES) {
  describe(`the caps query uses send_records_caps (${engine} EXPLAIN)`, () => {
    let store: AudienceStore;
    before(async () => {
      store = await openAudienceStore(engine);
      await createApp(store.db, 'app_a');
      await seed(store.db, engine);
    });
    after(() => store.close());

    const plan = async (q: NonNullable<ReturnType<typeof capsQuery>>): Promise<string> => {
      if (engine === 'postgres') return explainPlan(store.db, q);
      const compiled = q.compile();
      const res = await (store.db as Kysely<any>).executeQuery<{ detail: string }>({ ...compiled, sql: `explain query plan ${compiled.sql}` });
      return res.rows.map((r) => r.detail).join('\n');
    };

    for (const [name, category, rules] of RULE_SETS) {
      test(name, async () => {
        const page = Array.from({ length: 500 }, (_, i) => 1 + i * 7);
        // As the pipeline calls it: the notification being sent left out.
        const q = capsQuery(store.db, 'app_a', page, category, NOW, rules, { notificationId: 'n7' });
        assert.ok(q);
        const text = await plan(q);
        if (engine === 'sqlite') {
          // A search of the index by app and user (the page's seqs), not a scan of the table.
          assert.match(text, /SEARCH send_records USING (COVERING )?INDEX send_records_caps \(app_id=\? AND user_seq=\?/, text);
          assert.doesNotMatch(text, /\bSCAN send_records\b/, text);
        } else {
          assert.match(text, /send_records_caps/, text);
          assert.match(text, /Index Cond: .*user_seq = ANY/s, text);
          assert.doesNotMatch(text, /Seq Scan on send_records/, text);
          // Category is the index's last column: when every rule names it, the index tests it too.
          if (rules.every((r) => r.category !== undefined)) assert.match(text, /Index Cond: .*category = /s, text);
        }
      });
    }
  });
}
