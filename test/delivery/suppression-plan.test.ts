/**
 * The cost of preferences at fan-out, checked with EXPLAIN on PostgreSQL as
 * test/store/indexes.test.ts checks the other hot queries: the audience page that leaves
 * out users who turned a category off, and the count of those it left out, must both be
 * served by indexes (no sequential scan of subscriptions, users or user_preferences).
 */
import { after, before, describe, test } from 'node:test';
import { explainPlan } from '../support/explain.ts';
import assert from 'node:assert/strict';
import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import type { AudienceSelector } from '../../src/store/audience-page.ts';
import { audiencePageQuery, suppressedCountQuery, suppressedListQuery } from '../../src/store/audience-page.ts';
import { createTestDatabase } from '../support/carillon.ts';

describe('preferences at fan-out are served by indexes (PostgreSQL EXPLAIN)', () => {
  let store: Store;
  let db: Kysely<Database>;

  before(async () => {
    store = await openStore({ databaseUrl: await createTestDatabase(), dataDir: '/nonexistent' });
    db = store.db;
    // One large app, a user per subscription, one user in ten with promotions off.
    await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values ('app_x', 'x', 'k', 'k', 'mailto:a@b.c', 0)`.execute(db);
    await sql`insert into subscriptions (id, app_id, channel, address, p256dh, auth, user_id, tags, created_at, updated_at)
      select 'sub_' || g, 'app_x', 'webpush', 'https://push.example/' || g, 'k', 'a', 'u' || g, '{}', g, g from generate_series(1, 50000) g`.execute(db);
    await sql`insert into subscription_tags (subscription_seq, app_id, key, value) select seq, app_id, 'plan', case when seq % 10 = 0 then 'pro' else 'free' end from subscriptions`.execute(db);
    await sql`insert into users (app_id, external_id, attributes, created_at, updated_at, session_count) select 'app_x', 'u' || g, '{}', g, g, 0 from generate_series(1, 50000) g`.execute(db);
    await sql`insert into user_preferences (user_seq, app_id, category, enabled, updated_at) select seq, 'app_x', 'promotions', 0, 0 from users where seq % 10 = 3`.execute(db);
    await sql`analyze`.execute(db);
  });
  after(() => store.close());

  const plan = (query: { compile(): CompiledQuery }): Promise<string> => explainPlan(db, query);

  const targets: [string, AudienceSelector][] = [
    ['everyone', { all: true }],
    ['a tag', { tags: { plan: 'pro' } }],
    ['users', { userIds: ['u1', 'u13'] }],
  ];
  for (const [name, target] of targets) {
    test(`the page, the count and the list of left-outs for ${name} leave out promotions-off users by index`, async () => {
      for (const query of [audiencePageQuery(db, 'app_x', target, 1000, 500, { suppressCategory: 'promotions' }), suppressedCountQuery(db, 'app_x', target, 'promotions', 1000, 1500), suppressedListQuery(db, 'app_x', target, 'promotions', 1000, 1500)]) {
        const text = await plan(query);
        assert.doesNotMatch(text, /Seq Scan/, text);
        assert.match(text, /(using|on) (users_app_external|user_preferences_pkey|user_preferences_category)/, text);
        if (process.env.CARILLON_SHOW_PLANS) console.log(text);
      }
    });
  }

  test('the page and the count agree with the rows: each subscription is in one of them', async () => {
    const page = await audiencePageQuery(db, 'app_x', { all: true }, 0, 100, { suppressCategory: 'promotions' }).execute();
    const last = Number(page.at(-1)!.seq);
    const counted = await suppressedCountQuery(db, 'app_x', { all: true }, 'promotions', 0, last).executeTakeFirstOrThrow();
    assert.equal(page.length + Number(counted.n), last, 'every seq up to the last of the page is targeted or counted');
    assert.ok(page.every((r) => Number(r.seq) % 10 !== 3), 'none of the users who turned it off');
    // The list the send records are written from is the count, with each left-out's user.
    const listed = await suppressedListQuery(db, 'app_x', { all: true }, 'promotions', 0, last).execute();
    assert.equal(listed.length, Number(counted.n));
    assert.ok(listed.every((r) => Number(r.seq) % 10 === 3 && Number(r.user_seq) === Number(r.seq)), 'each with its own user (u<n> is user seq n here)');
  });
});
