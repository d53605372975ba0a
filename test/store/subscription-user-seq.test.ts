import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/database.ts';
import { copySqliteToPostgres } from '../../src/store/copy-store.ts';
import { migrate } from '../../src/store/migrate.ts';
import type { Database } from '../../src/store/schema.ts';
import { createTestDatabase, STORES, type StoreKind } from '../support/carillon.ts';

/**
 * Migration 023: subscriptions.user_seq is the seq of the users row of (app_id, user_id),
 * whoever writes either table and in whichever order, on existing rows after the
 * migration, and after `migrate --to` copies an embedded store (subscriptions before users).
 */
async function open(kind: StoreKind, dir: string): Promise<Store> {
  return kind === 'postgres' ? openStore({ databaseUrl: await createTestDatabase(), dataDir: dir }) : openStore({ dataDir: dir });
}

async function createApp(db: Kysely<Database>, id: string): Promise<void> {
  await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values (${id}, ${id}, 'k', 'k', 'mailto:a@b.example', 0)`.execute(db);
}

const subscription = (appId: string, id: string, userId: string | null) => ({
  id, app_id: appId, channel: 'webpush', address: `https://push.example.net/${id}`, p256dh: null, auth: null, environment: null, app_topic: null,
  user_id: userId, tags: '{}', language: null, timezone: null, created_at: 0, updated_at: 0,
});

async function addUser(db: Kysely<Database>, appId: string, externalId: string): Promise<number> {
  const row = await db.insertInto('users').values({ app_id: appId, external_id: externalId, created_at: 0, updated_at: 0 }).returning('seq').executeTakeFirstOrThrow();
  return Number(row.seq);
}

/** [subscription id, user_seq] of every subscription, by id. */
async function userSeqs(db: Kysely<Database>): Promise<[string, number | null][]> {
  const rows = await db.selectFrom('subscriptions').select(['id', 'user_seq']).orderBy('id').execute();
  return rows.map((r) => [r.id, r.user_seq === null ? null : Number(r.user_seq)]);
}

for (const kind of STORES) {
  describe(`subscriptions.user_seq follows the users rows (${kind})`, () => {
    let store: Store;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'carillon-user-seq-'));
      store = await open(kind, dir);
      await createApp(store.db, 'app_a');
      await createApp(store.db, 'app_b');
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('set when the user exists, when the user comes later, when the user id changes; cleared when the user goes', async () => {
      const db = store.db;
      const ann = await addUser(db, 'app_a', 'ann');
      await db.insertInto('subscriptions').values([subscription('app_a', 's1', 'ann'), subscription('app_a', 's2', 'bob'), subscription('app_a', 's3', null), subscription('app_b', 's4', 'bob')]).execute();
      assert.deepEqual(await userSeqs(db), [['s1', ann], ['s2', null], ['s3', null], ['s4', null]]);

      // The same external id in another app is another user.
      const bob = await addUser(db, 'app_a', 'bob');
      assert.deepEqual(await userSeqs(db), [['s1', ann], ['s2', bob], ['s3', null], ['s4', null]]);

      await db.updateTable('subscriptions').set({ user_id: 'bob' }).where('id', '=', 's1').execute();
      await db.updateTable('subscriptions').set({ user_id: 'ann' }).where('id', '=', 's3').execute();
      await db.updateTable('subscriptions').set({ tags: '{"a":"b"}' }).where('id', '=', 's2').execute();
      assert.deepEqual(await userSeqs(db), [['s1', bob], ['s2', bob], ['s3', ann], ['s4', null]]);

      await db.deleteFrom('users').where('seq', '=', bob).execute();
      assert.deepEqual(await userSeqs(db), [['s1', null], ['s2', null], ['s3', ann], ['s4', null]]);
      await db.updateTable('subscriptions').set({ user_id: null }).where('id', '=', 's3').execute();
      assert.deepEqual(await userSeqs(db), [['s1', null], ['s2', null], ['s3', null], ['s4', null]]);
    });

    test('the migration fills in the subscriptions already stored', async () => {
      const db = store.db as Kysely<any>;
      await db.deleteFrom('subscriptions').execute();
      await db.deleteFrom('users').execute();
      // The store as it was before migration 023: no column, no triggers, no index.
      if (kind === 'postgres') {
        for (const t of ['subscriptions_user_seq on subscriptions', 'users_attach_subscriptions on users', 'users_detach_subscriptions on users']) await sql.raw(`drop trigger ${t}`).execute(db);
        for (const f of ['subscriptions_user_seq', 'users_attach_subscriptions', 'users_detach_subscriptions']) await sql.raw(`drop function ${f}()`).execute(db);
      } else {
        for (const t of ['subscriptions_user_seq_insert', 'subscriptions_user_seq_update', 'users_attach_subscriptions', 'users_detach_subscriptions']) await sql.raw(`drop trigger ${t}`).execute(db);
      }
      await sql`drop index subscriptions_app_user_seq`.execute(db);
      await sql`alter table subscriptions drop column user_seq`.execute(db);
      await sql`delete from schema_migrations where version = 23`.execute(db);

      const cy = await addUser(db, 'app_a', 'cy');
      const dee = await addUser(db, 'app_b', 'dee');
      await db.insertInto('subscriptions').values([subscription('app_a', 't1', 'cy'), subscription('app_a', 't2', 'dee'), subscription('app_b', 't3', 'dee'), subscription('app_a', 't4', null), subscription('app_a', 't5', 'cy')]).execute();

      assert.deepEqual(await migrate(db, store.caps.dialect), [23]);
      assert.deepEqual(await userSeqs(store.db), [['t1', cy], ['t2', null], ['t3', dee], ['t4', null], ['t5', cy]]);
      // And the triggers are there again.
      const dan = await addUser(db, 'app_a', 'dee');
      assert.deepEqual((await userSeqs(store.db))[1], ['t2', dan]);
    });
  });
}

test('migrate --to: the copy holds the same user_seq, though it copies subscriptions before users', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carillon-user-seq-copy-'));
  const source = await openStore({ dataDir: dir });
  const target = await openStore({ databaseUrl: await createTestDatabase(), dataDir: dir });
  try {
    await createApp(source.db, 'app_a');
    // Users made out of seq order with the external ids, so that a copy which numbered them anew would show.
    await addUser(source.db, 'app_a', 'zed');
    await source.db.deleteFrom('users').execute();
    const yan = await addUser(source.db, 'app_a', 'yan');
    const xia = await addUser(source.db, 'app_a', 'xia');
    await source.db.insertInto('subscriptions').values([subscription('app_a', 'c1', 'xia'), subscription('app_a', 'c2', 'yan'), subscription('app_a', 'c3', 'nobody'), subscription('app_a', 'c4', null)]).execute();
    const expected: [string, number | null][] = [['c1', xia], ['c2', yan], ['c3', null], ['c4', null]];
    assert.deepEqual(await userSeqs(source.db), expected);

    await copySqliteToPostgres(source.db, target.db, undefined, 2);
    assert.deepEqual(await userSeqs(target.db), expected);
    const users = await target.db.selectFrom('users').select(['seq', 'external_id']).orderBy('seq').execute();
    assert.deepEqual(users.map((u) => [Number(u.seq), u.external_id]), [[yan, 'yan'], [xia, 'xia']]);
  } finally {
    await source.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('users imported after their subscriptions are each attached by index, not by a scan of either table (postgres, migration 030)', async () => {
  const url = await createTestDatabase();
  const store = await openStore({ databaseUrl: url, dataDir: '/nonexistent' });
  const client = new pg.Client({ connectionString: url });
  try {
    await createApp(store.db, 'app_a');
    // A fresh import in one session: the subscriptions, while the app has no users (the
    // lookup of each one's user is planned then), then their users in one statement.
    await client.connect();
    await client.query(`insert into subscriptions (id, app_id, channel, address, user_id, tags, created_at, updated_at)
      select 'sub_' || g, 'app_a', 'webpush', 'https://push.example/' || g, 'u' || g, '{}', g, g from generate_series(1, 2000) g`);
    // auto_explain sends this session the plan of every statement the triggers run.
    const plans: string[] = [];
    client.on('notice', (n) => plans.push(n.message ?? ''));
    for (const setting of ["load 'auto_explain'", 'set auto_explain.log_min_duration = 0', 'set auto_explain.log_nested_statements = on', 'set client_min_messages = log']) await client.query(setting);
    await client.query(`insert into users (app_id, external_id, attributes, created_at, updated_at, session_count)
      select 'app_a', 'u' || g, '{}', g, g, 0 from generate_series(1, 2000) g`);
    const nested = plans.filter((p) => p.includes('set user_seq = new.seq') || p.includes('select u.seq from users u'));
    assert.equal(nested.length, 4000, "a plan for each user's attach and for its subscription's lookup");
    // The last ones, with a thousand users and more in the table: each finds its row by the
    // whole key. A scan, or an index read filtering the app's rows, grows with the import.
    for (const plan of nested.slice(-100)) assert.doesNotMatch(plan, /Seq Scan|Filter:/, plan);
    const attached = await store.db.selectFrom('subscriptions').select('id').where('user_seq', 'is not', null).execute();
    assert.equal(attached.length, 2000);
  } finally {
    await client.end();
    await store.close();
  }
});
