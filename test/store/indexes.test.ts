import { after, before, describe, test } from 'node:test';
import { explainPlan } from '../support/explain.ts';
import assert from 'node:assert/strict';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { audiencePageQuery, whereTarget, type AudienceSelector } from '../../src/store/audience-page.ts';
import { createTestDatabase } from '../support/carillon.ts';

/**
 * The hot queries of delivery and the API, each checked with EXPLAIN on PostgreSQL: with
 * sequential scans priced out, the planner must find an index that serves the query. A
 * query that needs a full scan of `subscriptions` is what stops a fan-out to millions.
 */
describe('indexes serve the hot queries (PostgreSQL EXPLAIN)', () => {
  let store: Store;
  let db: Kysely<Database>;

  before(async () => {
    store = await openStore({ databaseUrl: await createTestDatabase(), dataDir: '/nonexistent' });
    db = store.db;
    // Plans depend on statistics: seed a realistic spread (one large app, a user per
    // subscription, a tag on one in ten), then ANALYZE.
    await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values ('app_x', 'x', 'k', 'k', 'mailto:a@b.c', 0), ('app_y', 'y', 'k', 'k', 'mailto:a@b.c', 0)`.execute(db);
    await sql`insert into subscriptions (id, app_id, channel, address, p256dh, auth, user_id, tags, created_at, updated_at)
      select 'sub_' || g, case when g % 10 = 0 then 'app_y' else 'app_x' end, 'webpush', 'https://push.example/' || g, 'k', 'a', 'u' || g, '{}', g, g from generate_series(1, 50000) g`.execute(db);
    await sql`insert into subscription_tags (subscription_seq, app_id, key, value) select seq, app_id, 'plan', case when seq % 10 = 0 then 'pro' else 'free' end from subscriptions`.execute(db);
    await sql`analyze`.execute(db);
  });
  after(() => store.close());

  const plan = (query: { compile(): CompiledQuery }): Promise<string> => explainPlan(db, query);
  /** No sequential scan, and the rows come from one of the indexes named. */
  const assertIndexed = (text: string, ...indexes: string[]) => {
    assert.doesNotMatch(text, /Seq Scan/, text);
    assert.match(text, new RegExp(`using (${indexes.join('|')})`), text);
  };

  const targets: [string, AudienceSelector, string][] = [
    // seq is the keyset: its own primary key or the (app_id, seq) index serve the page.
    ['everyone', { all: true }, 'subscriptions_app_seq|subscriptions_pkey'],
    ['users', { userIds: ['u1', 'u2'] }, 'subscriptions_app_user'],
    ['a tag', { tags: { plan: 'pro' } }, 'subscription_tags_lookup'],
    ['subscription ids', { subscriptionIds: ['sub_a'] }, 'subscriptions_id_key'],
  ];
  for (const [name, target, index] of targets) {
    test(`the fan-out's audience page for ${name}`, async () => {
      assertIndexed(await plan(audiencePageQuery(db, 'app_x', target, 1000, 500)), index);
    });
  }

  test("a delivery batch's recipients (a seq range of one app)", async () => {
    const q = whereTarget(db.selectFrom('subscriptions').select(['subscriptions.seq', 'subscriptions.address']).where('subscriptions.app_id', '=', 'app_x').where('subscriptions.seq', '>=', 1).where('subscriptions.seq', '<=', 500), 'app_x', { all: true });
    assertIndexed(await plan(q), 'subscriptions_app_seq', 'subscriptions_pkey');
  });

  test('the subscription upsert lookup, the API key check and the status counts', async () => {
    assertIndexed(await plan(db.selectFrom('subscriptions').select('seq').where('app_id', '=', 'app_x').where('channel', '=', 'webpush').where('address', '=', 'https://push.example/7')), 'subscriptions_app_address');
    assertIndexed(await plan(db.selectFrom('api_keys').select('app_id').where('key_hash', '=', 'h')), 'api_keys_key_hash_key');
    assertIndexed(await plan(db.selectFrom('delivery_batches').select('delivered').where('notification_id', '=', 'n').where('done', '=', 1)), 'delivery_batches_notification');
  });

  test("the queue's claim of due jobs", async () => {
    const q = db.selectFrom('jobs').select('id').where('state', '=', 'waiting').where('run_at', '<=', 0).orderBy('priority', 'desc').orderBy('run_at').limit(4);
    assertIndexed(await plan(q), 'jobs_due');
  });
});
