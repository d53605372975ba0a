/**
 * Retention of the raw activity log and the rebuild, on SQLite and PostgreSQL files of their
 * own: rows past `activityRetentionDays` go (in whole hours, never one an unread webhook
 * cursor still needs), the rollups stay, and a rebuild recounts the hours the log still
 * holds to the numbers the appends made, leaving older hours as they were.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/database.ts';
import { appendActivity, addToRollups, HOUR_MS } from '../../src/store/activity-log.ts';
import { pruneActivity, retentionCutoff } from '../../src/analytics/retention.ts';
import { rebuildRollups } from '../../src/analytics/rebuild.ts';
import { STORES, createTestDatabase } from '../support/carillon.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:30:00Z');

for (const kind of STORES) {
  describe(`activity retention and rebuild (${kind})`, () => {
    let store: Store;
    let dir: string;
    const rollups = async () =>
      (await sql<any>`select hour, type, campaign_id, channel, count, value_sum from activity_rollups order by hour, type, campaign_id, channel`.execute(store.db)).rows.map((r) => `${Number(r.hour)}|${r.type}|${r.campaign_id}|${r.channel}|${Number(r.count)}|${Number(r.value_sum)}`);
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'carillon-retention-'));
      store = await openStore(kind === 'sqlite' ? { dataDir: dir } : { databaseUrl: await createTestDatabase(), dataDir: dir });
      await sql`insert into apps (id, name, vapid_public_key, vapid_private_key, vapid_subject, created_at) values ('app_r', 'r', 'k', 'k', 'mailto:a@b.c', 0)`.execute(store.db);
    });
    after(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('old rows go in whole hours, unread ones stay, the rollups stay, and a rebuild recounts what is left to the same numbers', async () => {
      const cutoff = retentionCutoff(NOW, 30);
      assert.equal(cutoff, Date.parse('2026-11-01T12:00:00Z'), 'a whole hour');
      const at = (offset: number) => cutoff + offset;
      // Before the cutoff (two of them), in the cutoff's hour (kept), and recent.
      await appendActivity(store.db, [
        { appId: 'app_r', type: 'delivered', at: at(-2 * HOUR_MS), campaignId: 'cmp_a', channel: 'webpush' },
        { appId: 'app_r', type: 'clicked', at: at(-1), campaignId: 'cmp_a', channel: 'webpush' },
        { appId: 'app_r', type: 'delivered', at: at(0), campaignId: 'cmp_a', channel: 'apns' },
        { appId: 'app_r', type: 'converted', at: at(10 * DAY), campaignId: 'cmp_a', channel: 'apns', value: 12.5, data: { kind: 'direct', event: 'purchase', windowHours: 72 } },
      ]);
      await addToRollups(store.db, [{ appId: 'app_r', type: 'prompt_shown', at: at(DAY) }]);
      await sql`insert into events (app_id, type, notification_id, subscription_id, action, dedupe_key, at, received_at) values ('app_r', 'prompt_shown', null, null, null, null, ${at(DAY)}, ${at(DAY)})`.execute(store.db);
      const appended = await rollups();
      const seqs = (await store.db.selectFrom('activity').select(['seq', 'at']).orderBy('seq').execute()).map((r) => Number(r.seq));

      // An endpoint has not read the second row: it and everything after stay.
      assert.deepEqual(await pruneActivity(store.db, { now: NOW, retentionDays: 30, keepFromSeq: async () => seqs[1]! }), { deleted: 1, more: false });
      assert.deepEqual((await store.db.selectFrom('activity').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq)), seqs.slice(1));
      assert.deepEqual(await pruneActivity(store.db, { now: NOW, retentionDays: 30 }), { deleted: 1, more: false });
      assert.deepEqual((await store.db.selectFrom('activity').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq)), seqs.slice(2));
      assert.deepEqual(await rollups(), appended, 'the rollups keep the deleted rows’ counts');

      // A rebuild from the cutoff recounts the hours that still have their raw rows, and only those.
      await sql`update activity_rollups set count = count + 100`.execute(store.db);
      await rebuildRollups(store.db, store.caps.dialect, { since: cutoff });
      const rebuilt = await rollups();
      const older = (rows: string[]) => rows.filter((r) => Number(r.split('|')[0]) < cutoff);
      assert.deepEqual(rebuilt.filter((r) => Number(r.split('|')[0]) >= cutoff), appended.filter((r) => Number(r.split('|')[0]) >= cutoff));
      assert.deepEqual(older(rebuilt), older(appended).map((r) => r.replace(/\|(\d+)\|([\d.]+)$/, (_, n, v) => `|${Number(n) + 100}|${v}`)), 'hours before `since` are left as they were');
      assert.ok(rebuilt.some((r) => r.includes('|converted_direct|cmp_a|apns|1|12.5')), JSON.stringify(rebuilt));
      assert.ok(rebuilt.some((r) => r.includes('|prompt_shown|||1|0')), JSON.stringify(rebuilt));
      const totals = (await sql<any>`select hour, type, count from activity_totals where hour >= ${cutoff} order by hour, type`.execute(store.db)).rows.map((r) => `${Number(r.hour)}|${r.type}|${Number(r.count)}`);
      const summed = (await sql<any>`select hour, type, sum(count) as count from activity_rollups where hour >= ${cutoff} group by hour, type order by hour, type`.execute(store.db)).rows.map((r) => `${Number(r.hour)}|${r.type}|${Number(r.count)}`);
      assert.deepEqual(totals, summed, 'the rebuilt totals are the rollups summed');
    });
  });
}
