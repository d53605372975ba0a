import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import { appendActivity, lastActivitySeq, readActivity } from '../../src/store/activity-log.ts';
import { STORES, createTestDatabase } from '../support/carillon.ts';

/** The activity log on each store: rows come back in commit order, with what was written, and a rolled-back append leaves nothing. */
for (const kind of STORES) {
  describe(`activity log (${kind})`, () => {
    let store: Store;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'carillon-activity-'));
      store = await openStore(kind === 'sqlite' ? { dataDir: dir } : { databaseUrl: await createTestDatabase(), dataDir: dir });
      for (const id of ['app_a', 'app_b']) {
        await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values (${id}, ${id}, 'k', 'k', 'mailto:a@b.c', 0)`.execute(store.db);
      }
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('appended rows read back in order, per app and per type, with their dimensions and data', async () => {
      assert.equal(await lastActivitySeq(store.db), 0);
      await appendActivity(store.db, [
        { appId: 'app_a', type: 'sent', at: 1000, notificationId: 'ntf_1', campaignId: 'cmp_1', variant: 'A', category: 'promotions', channel: 'webpush', subscriptionId: 'sub_1', userId: 'u1' },
        { appId: 'app_b', type: 'clicked', at: 1001, notificationId: 'ntf_2', subscriptionId: 'sub_2', action: 'open' },
        { appId: 'app_a', type: 'converted', at: 1002, userId: 'u1', value: 19.5, data: { kind: 'direct', event: 'purchase' } },
      ]);
      const all = await readActivity(store.db, { afterSeq: 0, limit: 10 });
      assert.deepEqual(all.map((a) => a.type), ['sent', 'clicked', 'converted']);
      assert.ok(all[0]!.seq < all[1]!.seq && all[1]!.seq < all[2]!.seq);
      assert.equal(await lastActivitySeq(store.db), all[2]!.seq);
      assert.deepEqual({ ...all[0]!, seq: 0 }, { seq: 0, appId: 'app_a', type: 'sent', at: 1000, notificationId: 'ntf_1', campaignId: 'cmp_1', variant: 'A', category: 'promotions', channel: 'webpush', subscriptionId: 'sub_1', userId: 'u1', action: null, value: null, data: null });
      assert.deepEqual(all[2]!.data, { kind: 'direct', event: 'purchase' });
      assert.equal(all[2]!.value, 19.5);

      const ofA = await readActivity(store.db, { afterSeq: 0, limit: 10, appId: 'app_a' });
      assert.deepEqual(ofA.map((a) => a.type), ['sent', 'converted']);
      const past = await readActivity(store.db, { afterSeq: all[0]!.seq, limit: 1 });
      assert.deepEqual(past.map((a) => a.type), ['clicked'], 'past the cursor, one row');
      const clicks = await readActivity(store.db, { afterSeq: 0, limit: 10, types: ['clicked'] });
      assert.deepEqual(clicks.map((a) => a.notificationId), ['ntf_2']);
      const window = await readActivity(store.db, { afterSeq: 0, limit: 10, from: 1001, to: 1002 });
      assert.deepEqual(window.map((a) => a.type), ['clicked']);
    });

    test('an append in a transaction that rolls back leaves no row', async () => {
      const before = await lastActivitySeq(store.db);
      await assert.rejects(
        store.db.transaction().execute(async (tx) => {
          await appendActivity(tx, [{ appId: 'app_a', type: 'failed', at: 2000 }]);
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.deepEqual(await readActivity(store.db, { afterSeq: before, limit: 10 }), []);
    });
  });
}
