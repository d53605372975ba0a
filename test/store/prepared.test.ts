import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store/database.ts';
import { columnsOf, prepared, preparedMany } from '../../src/store/prepared.ts';
import { STORES, createTestDatabase } from '../support/carillon.ts';

const appById = prepared((db, $: { id: string }) => db.selectFrom('apps').select(['id', 'name', 'vapid_subject']).where('id', '=', $.id));
const appsNamed = prepared((db, $: { name: string; limit: number }) => db.selectFrom('apps').select('id').where('name', '=', $.name).where('vapid_subject', '=', 'mailto:a@b.c').orderBy('id').limit($.limit));
const rename = prepared((db, $: { id: string; name: string }) => db.updateTable('apps').set({ name: $.name }).where('id', '=', $.id));
const addApp = prepared((db, $: { id: string; name: string; createdAt: number }) =>
  db.insertInto('apps').values({ id: $.id, name: $.name, vapid_public_key: 'k', vapid_private_key: 'k', vapid_subject: 'mailto:a@b.c', created_at: $.createdAt }),
);

type AppRow = { id: string; name: string; created_at: number };
/** Kept for one row count at a time: every other run compiles again, and must bind as well as a kept one. */
const addApps = preparedMany(
  (db, $: readonly AppRow[]) => db.insertInto('apps').values($.map((r) => ({ ...columnsOf(r, ['id', 'name', 'created_at']), vapid_public_key: 'k', vapid_private_key: 'k', vapid_subject: 'mailto:many@b.c' }))),
  1,
);

/** The same prepared queries on each store, one after the other in one process: each dialect gets its own SQL. */
const stores: Store[] = [];
for (const kind of STORES) {
  describe(`prepared queries (${kind})`, () => {
    let store: Store;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'carillon-prepared-'));
      store = await openStore(kind === 'sqlite' ? { dataDir: dir } : { databaseUrl: await createTestDatabase(), dataDir: dir });
      stores.push(store);
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('each run binds its own values, and reads what the query built the usual way reads', async () => {
      for (let i = 0; i < 5; i++) assert.equal(await addApp.affected(store.db, { id: `app_${i}`, name: i % 2 ? 'odd' : 'even', createdAt: i }), 1);
      assert.deepEqual(await appById.first(store.db, { id: 'app_3' }), { id: 'app_3', name: 'odd', vapid_subject: 'mailto:a@b.c' });
      assert.equal(await appById.first(store.db, { id: 'app_9' }), undefined);
      assert.deepEqual((await appsNamed.rows(store.db, { name: 'even', limit: 2 })).map((r) => r.id), ['app_0', 'app_2']);
      const built = await store.db.selectFrom('apps').select('id').where('name', '=', 'even').orderBy('id').limit(10).execute();
      assert.deepEqual(await appsNamed.rows(store.db, { name: 'even', limit: 10 }), built);
      assert.equal(await rename.affected(store.db, { id: 'app_1', name: 'renamed' }), 1);
      assert.equal(await rename.affected(store.db, { id: 'app_none', name: 'renamed' }), 0);
      assert.equal((await appById.first(store.db, { id: 'app_1' }))?.name, 'renamed');
    });

    test('a run inside a transaction sees the transaction and goes with its rollback', async () => {
      await assert.rejects(
        store.db.transaction().execute(async (tx) => {
          await rename.affected(tx, { id: 'app_2', name: 'in the transaction' });
          assert.equal((await appById.first(tx, { id: 'app_2' }))?.name, 'in the transaction');
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal((await appById.first(store.db, { id: 'app_2' }))?.name, 'even');
    });

    test('a multi-row write binds each row in its place, whatever the row count and however many counts are kept', async () => {
      const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `many_${from + i}`, name: `row ${from + i}`, created_at: 1000 + from + i }));
      let at = 0;
      for (const n of [3, 1, 3, 2, 3]) {
        assert.equal(await addApps.affected(store.db, rows(at, n)), n);
        at += n;
      }
      const stored = await store.db.selectFrom('apps').select(['id', 'name', 'created_at']).where('vapid_subject', '=', 'mailto:many@b.c').orderBy('created_at').execute();
      assert.deepEqual(stored.map((r) => ({ ...r, created_at: Number(r.created_at) })), rows(0, at));
      assert.match(addApps.compile(store.db, rows(100, 2)).sql, /values \(.+\), \(.+\)$/);
      await assert.rejects(addApps.affected(store.db, []), /no rows/);
      await assert.rejects(addApps.affected(store.db, [{ id: 'many_x', name: 'x' } as AppRow]), /no value for 0\.created_at/);
    });

    test('a value left out fails the run and writes nothing', async () => {
      await assert.rejects(rename.affected(store.db, { id: 'app_4' } as { id: string; name: string }), /no value for name/);
      assert.equal((await appById.first(store.db, { id: 'app_4' }))?.name, 'even');
    });
  });
}

test('a value that would shape the query, or does not reach its SQL, is refused at the first run', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'carillon-prepared-'));
  const store = await openStore({ dataDir: dir });
  try {
    const asText = prepared((db, $: { id: string; name: string }) => db.selectFrom('apps').select('id').where('id', '=', $.id).where('name', '=', `app ${$.name}`));
    await assert.rejects(asText.rows(store.db, { id: 'a', name: 'b' }), /the value name is bound at each run, it cannot shape the query/);
    const unused = prepared((db, $: { id: string; other: string }) => {
      const other = $.other;
      return db.selectFrom('apps').select('id').where('id', '=', $.id).$if(other === undefined, (q) => q.where('name', '=', other));
    });
    await assert.rejects(unused.rows(store.db, { id: 'a', other: 'b' }), /the value other does not reach the SQL/);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('each dialect compiles its own SQL', () => {
  assert.equal(stores.length, STORES.length);
  const texts = stores.map((s) => appById.compile(s.db, { id: 'x' }).sql);
  assert.match(texts[0]!, /"id" = \?$/);
  assert.match(texts[1]!, /"id" = \$1$/);
  assert.deepEqual(stores.map((s) => appById.compile(s.db, { id: 'x' }).parameters), stores.map(() => ['x']));
});
