/**
 * The compiled filters use the indexes of migration 010, on both engines (EXPLAIN on a few
 * thousand users with ANALYZE'd statistics). On PostgreSQL sequential scans are priced
 * out, as in test/store/indexes.test.ts, so the question is whether an index can serve
 * the leaf at all; on SQLite the plan is what it chooses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { compileContext, validateFilter, type CompileContext } from '../../src/audience/filter/index.ts';
import { audienceRows } from '../../src/audience/filter/sql/audience-query.ts';
import { createApp, ENGINES, openAudienceStore, type AudienceStore, type Engine } from './audience-store.ts';
import { NOW } from './fixtures.ts';

/**
 * [filter, the index its leaf must use on each engine]. SQLite may walk a page in seq order
 * instead (`subscriptions_app_seq`) when the leaf is not selective and the page is sorted.
 */
const LEAVES: [unknown, Record<Engine, string>][] = [
  [{ attribute: 'plan', op: 'eq', value: 'pro' }, { sqlite: 'user_attributes_str', postgres: 'user_attributes_str' }],
  [{ attribute: 'plan', op: 'in', value: ['pro', 'team'] }, { sqlite: 'user_attributes_str', postgres: 'user_attributes_str' }],
  [{ attribute: 'score', op: 'gt', value: 10 }, { sqlite: 'user_attributes_num', postgres: 'user_attributes_num' }],
  // A week of one app's events is so few rows here that PostgreSQL may take the retention index on `at` alone.
  [{ event: 'view', count: { gte: 3 }, within: '7d' }, { sqlite: 'user_events_name_at', postgres: 'user_events_name_at|user_events_at' }],
  [{ event: 'buy', count: { eq: 0 }, within: '30d' }, { sqlite: 'user_events_name_at', postgres: 'user_events_name_at' }],
  // Without a window every row of the name is read: in user order, no sort (migration 013).
  [{ not: { event: 'buy' } }, { sqlite: 'user_events_name_user', postgres: 'user_events_name_at|user_events_name_user' }],
  [{ tag: 'tier', op: 'eq', value: 'gold' }, { sqlite: 'subscription_tags_lookup', postgres: 'subscription_tags_lookup' }],
  [{ near: { lat: 45.76, lon: 4.84, radiusKm: 10 } }, { sqlite: 'users_app_lat', postgres: 'users_app_lat' }],
  [{ attribute: 'lastSeenAt', op: 'older_than', value: '7d' }, { sqlite: 'users_app_last_seen_at', postgres: 'users_app_last_seen_at' }],
  [{ attribute: 'country', op: 'eq', value: 'FR' }, { sqlite: 'users_app_country|subscriptions_app_seq', postgres: 'users_app_country' }],
];

async function seed(db: Kysely<any>, engine: Engine): Promise<void> {
  const n = 5000;
  const series = engine === 'postgres' ? sql`generate_series(1, ${n}) as g(i)` : sql`(with recursive s(i) as (select 1 union all select i + 1 from s where i < ${n}) select i from s) as g`;
  const now = sql`cast(${NOW} as bigint)`;
  await sql`insert into users (app_id, external_id, language, country, lat, lon, created_at, updated_at, last_seen_at, session_count)
    select case when i % 5 = 0 then 'app_b' else 'app_a' end, 'u' || i, case when i % 3 = 0 then 'fr-FR' else 'en' end, case when i % 50 = 0 then 'FR' else 'US' end,
      40 + (i % 100) * 0.1, (i % 50) * 0.2, ${now} - i * 1000, ${now}, ${now} - i * 100000, i % 10 from ${series}`.execute(db);
  await sql`insert into user_attributes (user_seq, app_id, key, type, str, num) select seq, app_id, 'plan', 'string', case when seq % 50 = 0 then 'pro' else 'free' end, null from users`.execute(db);
  await sql`insert into user_attributes (user_seq, app_id, key, type, str, num) select seq, app_id, 'score', 'number', null, seq % 100 from users`.execute(db);
  await sql`insert into user_events (app_id, user_seq, name, at, properties, received_at)
    select u.app_id, u.seq, case g.i % 10 when 0 then 'view' when 1 then 'buy' else 'e' || (g.i % 10) end, ${now} - (g.i * 4 + u.seq % 4) * 86400000, '{}', 0
    from users u cross join (select i from ${series} where i <= 20) g`.execute(db);
  await sql`insert into subscriptions (id, app_id, channel, address, user_id, tags, created_at, updated_at) select 's' || seq, app_id, 'webpush', 'a' || seq, external_id, '{}', 0, 0 from users`.execute(db);
  await sql`insert into subscription_tags (subscription_seq, app_id, key, value) select seq, app_id, 'tier', case when seq % 50 = 0 then 'gold' else 'silver' end from subscriptions`.execute(db);
  await sql`analyze`.execute(db);
}

for (const engine of ENGINES) {
  describe(`audience filters use the indexes (${engine} EXPLAIN)`, () => {
    let store: AudienceStore;
    let ctx: CompileContext;
    let probe: CompileContext;

    before(async () => {
      store = await openAudienceStore(engine);
      await createApp(store.db, 'app_a');
      await createApp(store.db, 'app_b');
      await seed(store.db, engine);
      ctx = await compileContext(store.db, 'app_a', { now: NOW, caps: store.caps }, 'set');
      probe = await compileContext(store.db, 'app_a', { now: NOW, caps: store.caps }, 'probe');
    });
    after(() => store.close());

    const plan = async (q: CompiledQuery): Promise<string> => {
      const db = store.db as Kysely<any>;
      if (engine === 'sqlite') {
        const res = await db.executeQuery<{ detail: string }>({ ...q, sql: `explain query plan ${q.sql}` });
        return res.rows.map((r) => r.detail).join('\n');
      }
      return db.connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        const res = await conn.executeQuery<{ 'QUERY PLAN': string }>({ ...q, sql: `explain ${q.sql}` });
        await sql`reset enable_seqscan`.execute(conn);
        return res.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    };

    for (const [input, indexes] of LEAVES) {
      test(`${JSON.stringify(input)} uses ${indexes[engine]}`, async () => {
        const r = validateFilter(input);
        assert.ok(r.ok);
        const rows = audienceRows(store.db, r.filter, ctx);
        for (const q of [rows.select('subscriptions.seq').orderBy('subscriptions.seq').limit(1000).compile(), rows.select(sql<number>`count(distinct users.seq)`.as('n')).compile()]) {
          const text = await plan(q);
          assert.match(text, new RegExp(`\\b(${indexes[engine]})\\b`), text);
          // The big tables are never read whole.
          assert.doesNotMatch(text, engine === 'sqlite' ? /\bSCAN (user_events|user_attributes|subscription_tags)\b/ : /Seq Scan on (user_events|user_attributes|subscription_tags)/, text);
        }
      });
    }

    // Under an `or` no semi- or anti-join can take a row set: sizing builds each set once
    // (SQLite: a list subquery into a temporary index; PostgreSQL: a left join to the
    // grouped set), never a subquery run again for each user (bench section 7's (c)).
    test('sizing asks a row set under an or once, not per row', async () => {
      const r = validateFilter({
        and: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { or: [{ event: 'buy', count: { eq: 0 }, within: '30d' }, { tag: 'tier', op: 'eq', value: 'gold' }, { attribute: 'lastSeenAt', op: 'older_than', value: '7d' }] }],
      });
      assert.ok(r.ok);
      const text = await plan(audienceRows(store.db, r.filter, ctx).select(sql<number>`count(distinct users.seq)`.as('n')).compile());
      assert.doesNotMatch(text, engine === 'sqlite' ? /CORRELATED/ : /SubPlan/, text);
    });

    // A page in the probe form walks subscriptions in seq order and asks each leaf by its
    // per-user or per-subscription key: no set of the whole audience per page.
    const PROBES: [unknown, Record<Engine, RegExp>][] = [
      // SQLite probes with the user's or subscription's seq as an equality of the index search.
      [{ attribute: 'plan', op: 'eq', value: 'pro' }, { sqlite: /user_attributes (EXISTS )?USING (COVERING )?INDEX \w+ \([^)]*user_seq=\?/, postgres: /user_attributes_(pkey|str)/ }],
      // Either per-user index: (user_seq, name, at), or (app_id, name, user_seq, at) with the app and name as equalities.
      [{ event: 'view', count: { gte: 3 }, within: '7d' }, { sqlite: /user_events USING (COVERING )?INDEX user_events_(user \(user_seq=\?|name_user \(app_id=\? AND name=\? AND user_seq=\?)/, postgres: /user_events_(user|name_user|name_at|at)/ }],
      [{ not: { event: 'buy' } }, { sqlite: /user_events USING (COVERING )?INDEX user_events_(user \(user_seq=\?|name_user \(app_id=\? AND name=\? AND user_seq=\?)/, postgres: /user_events_(user|name_user|name_at)/ }],
      [{ tag: 'tier', op: 'eq', value: 'gold' }, { sqlite: /subscription_tags (EXISTS )?USING (COVERING )?INDEX \w+ \([^)]*subscription_seq=\?/, postgres: /subscription_tags_(pk|lookup)/ }],
    ];
    for (const [input, index] of PROBES) {
      test(`a probe page of ${JSON.stringify(input)} walks seq order and uses ${index[engine].source}`, async () => {
        const r = validateFilter(input);
        assert.ok(r.ok);
        const q = audienceRows(store.db, r.filter, probe).select('subscriptions.seq').where('subscriptions.seq', '>', 100).orderBy('subscriptions.seq').limit(500).compile();
        const text = await plan(q);
        assert.match(text, index[engine], text);
        if (engine === 'sqlite') {
          // seq is the rowid: the walk is a range of the table itself (or of (app_id, seq)).
          assert.match(text, /SEARCH subscriptions USING (INTEGER PRIMARY KEY \(rowid>\?\)|(COVERING )?INDEX subscriptions_app_seq \(app_id=\? AND seq>\?\))/, text);
          assert.doesNotMatch(text, /TEMP B-TREE FOR ORDER BY/, text);
        }
        assert.doesNotMatch(text, engine === 'sqlite' ? /\bSCAN (user_events|user_attributes|subscription_tags)\b/ : /Seq Scan on (user_events|user_attributes|subscription_tags)/, text);
      });
    }
  });
}
