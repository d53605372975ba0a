import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import { copySqliteToPostgres } from '../../src/store/copy-store.ts';
import { createTestDatabase } from '../support/carillon.ts';

/**
 * `carillon migrate --to` copies page by page: a table with rowids by rowid, a table made
 * `without rowid` on SQLite (the analytics rollups) by its primary key. Pages of 3 rows make
 * every page boundary fall inside a run of equal leading key columns.
 */
let source: Store;
let target: Store;
let dir: string;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'carillon-copy-'));
  source = await openStore({ dataDir: dir });
  target = await openStore({ databaseUrl: await createTestDatabase(), dataDir: dir });
});
after(async () => {
  await source.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every row of a rowid table and of a without-rowid table arrives once, across small pages', async () => {
  await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values ('app_a', 'a', 'k', 'k', 'mailto:a@b.c', 0), ('app_b', 'b', 'k', 'k', 'mailto:a@b.c', 0)`.execute(source.db);
  const rollups = [];
  for (const app of ['app_a', 'app_b'])
    for (const hour of [0, 3_600_000])
      for (const type of ['clicked', 'delivered', 'sent'])
        rollups.push({ app_id: app, hour, type, campaign_id: '', notification_id: `ntf_${hour}`, variant: '', category: 'orders', channel: 'webpush', count: rollups.length + 1, value_sum: 0 });
  await source.db.insertInto('activity_rollups').values(rollups).execute();

  const counts = await copySqliteToPostgres(source.db, target.db, undefined, 3);
  assert.equal(counts.apps, 2);
  assert.equal(counts.activity_rollups, rollups.length);
  const copied = await target.db.selectFrom('activity_rollups').selectAll().orderBy(['app_id', 'hour', 'type']).execute();
  assert.deepEqual(copied.map((r) => [r.app_id, Number(r.hour), r.type, Number(r.count)]), rollups.map((r) => [r.app_id, r.hour, r.type, r.count]));
});
