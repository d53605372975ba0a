/**
 * The rollups and the raw activity log agree after a mixed workload that a `kill -9` cut in
 * the middle: a real server process on SQLite and on PostgreSQL delivers a notification to
 * hundreds of subscriptions (some gone, some left out by a preference) while browsers report
 * displays and clicks and the site tracks conversions; it is killed, restarted, and the
 * work finishes. Every outcome is one row (none doubled by the restart's re-sends, none lost),
 * the rollups equal the raw rows counted per hour and dimension, and `carillon analytics
 * rebuild` recounts them to the same numbers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { STORES, createTestDatabase, userIdHash } from '../support/carillon.ts';
import { http, runCarillon, startServerProcess, type ServerProcess } from '../support/process.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import type { ActivityType } from '../../src/store/schema.ts';

const N = 400;
const optedOut = (i: number) => i % 10 === 3;

/** The rollups, and the raw rows counted the way they are rolled up, as comparable lists. */
async function rollupsAndRaw(store: Store) {
  const dims = sql`app_id, at - (at % 3600000) as hour, type, coalesce(campaign_id, '') as c, coalesce(notification_id, '') as n, coalesce(variant, '') as v, coalesce(category, '') as k, coalesce(channel, '') as ch`;
  const raw = await sql<any>`select ${dims}, count(*) as count, coalesce(sum(value), 0) as value from activity where repeated = 0 group by 1, 2, 3, 4, 5, 6, 7, 8`.execute(store.db);
  const rolled = await sql<any>`select app_id, hour, type, campaign_id as c, notification_id as n, variant as v, category as k, channel as ch, count, value_sum as value from activity_rollups
    where type in ('sent', 'delivered', 'failed', 'pruned', 'capped', 'suppressed', 'displayed', 'clicked', 'dismissed', 'opted_in', 'opted_out', 'converted')`.execute(store.db);
  const norm = (rows: any[]) => rows.map((r) => `${r.app_id}|${Number(r.hour)}|${r.type}|${r.c}|${r.n}|${r.v}|${r.k}|${r.ch}|${Number(r.count)}|${Number(r.value)}`).sort();
  const totals = await sql<any>`select app_id, hour, type, count, value_sum from activity_totals order by app_id, hour, type`.execute(store.db);
  const summed = await sql<any>`select app_id, hour, type, sum(count) as count, sum(value_sum) as value_sum from activity_rollups where type not like 'clicked:%' group by app_id, hour, type order by app_id, hour, type`.execute(store.db);
  const flat = (rows: any[]) => rows.map((r) => `${r.app_id}|${Number(r.hour)}|${r.type}|${Number(r.count)}|${Number(r.value_sum)}`);
  assert.deepEqual(flat(totals.rows), flat(summed.rows), 'the per-app totals equal the rollups summed');
  return { raw: norm(raw.rows), rolled: norm(rolled.rows), all: norm((await sql<any>`select app_id, hour, type, campaign_id as c, notification_id as n, variant as v, category as k, channel as ch, count, value_sum as value from activity_rollups`.execute(store.db)).rows) };
}

for (const kind of STORES) {
  describe(`rollups and raw log after kill -9 (${kind})`, () => {
    let sink: PushSink;
    let dataDir: string;
    let env: Record<string, string>;
    let server: ServerProcess | undefined;
    let store: Store | undefined;

    before(async () => {
      sink = await startPushSink();
      dataDir = mkdtempSync(join(tmpdir(), 'carillon-analytics-crash-'));
      env = {
        CARILLON_DATA_DIR: dataDir,
        CARILLON_ADMIN_KEY: 'crl_ak_analytics_crash_admin_key',
        CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true',
        CARILLON_BATCH_SIZE: '25',
        CARILLON_ORIGIN_CONCURRENCY: '4',
        CARILLON_CRYPTO_THREADS: '1',
        CARILLON_RETRY_BASE: '50',
        CARILLON_QUEUE_POLL_INTERVAL: '20',
        CARILLON_QUEUE_LEASE: '2000',
        ...(kind !== 'sqlite' ? { DATABASE_URL: await createTestDatabase() } : {}),
      };
    });
    after(async () => {
      server?.child.kill('SIGKILL');
      await store?.close();
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test(`${N} recipients, reports and conversions: rollups equal the raw log after a kill, a restart and a rebuild`, async () => {
      server = await startServerProcess(env);
      const admin = env.CARILLON_ADMIN_KEY!;
      const app = (await http(`${server.url}/v1/apps`, 'POST', admin, { name: 'analytics crash' })).body;
      const subs = Array.from({ length: N }, () => sink.subscribe());
      const ids: string[] = [];
      for (let i = 0; i < N; i += 100) {
        const made = await Promise.all(
          subs.slice(i, i + 100).map(async (s, k) => {
            const res = await http(`${server!.url}/v1/apps/${app.id}/subscriptions`, 'POST', app.publishableKey, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: `u${i + k}`, userIdHash: userIdHash(app, `u${i + k}`) });
            assert.equal(res.status, 201, JSON.stringify(res.body));
            return res.body.id as string;
          }),
        );
        ids.push(...made);
      }
      for (let i = 0; i < N; i++) if (optedOut(i)) assert.equal((await http(`${server.url}/v1/apps/${app.id}/users/u${i}/preferences`, 'PUT', app.secretKey, { promotions: false })).status, 200);
      const gone = subs.filter((_, i) => i % 50 === 7);
      for (const s of gone) sink.gone(s.id);
      sink.setDelay(15);
      const accepted = await http(`${server.url}/v1/apps/${app.id}/notifications`, 'POST', app.secretKey, { to: { all: true }, title: 'Counted once', preferenceCategory: 'promotions', conversion: { events: ['purchase'] } });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      const id = accepted.body.id as string;

      // Browsers report and the site tracks while the notification goes out; the kill lands among them.
      await sink.waitFor(N / 4, 60_000);
      const reports: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        if (optedOut(i) || i % 50 === 7) continue;
        reports.push(http(`${server.url}/v1/apps/${app.id}/events`, 'POST', app.publishableKey, { events: [{ type: 'displayed', notificationId: id, subscriptionId: ids[i] }, ...(i % 3 === 0 ? [{ type: 'clicked', notificationId: id, subscriptionId: ids[i] }] : [])] }).catch(() => undefined));
      }
      await Promise.race([Promise.all(reports), new Promise((r) => setTimeout(r, 30))]);
      server.child.kill('SIGKILL');
      assert.equal(await server.exited, 'SIGKILL');
      assert.ok(sink.received.length < N * 0.95, `killed in the middle (${sink.received.length} of ${N} had arrived)`);

      sink.setDelay(0);
      server = await startServerProcess(env);
      const deadline = Date.now() + 90_000;
      let status: any;
      do {
        await new Promise((r) => setTimeout(r, 200));
        status = (await http(`${server.url}/v1/apps/${app.id}/notifications/${id}`, 'GET', app.secretKey)).body;
      } while (status.status !== 'completed' && Date.now() < deadline);
      assert.equal(status.status, 'completed', JSON.stringify(status.counts));
      // The rest of the reports (retried by the browsers) and the conversions, after the restart.
      for (let i = 0; i < N; i += 50) {
        const events = [];
        for (let k = i; k < i + 50; k++) if (!optedOut(k) && k % 50 !== 7 && k < 120) events.push({ type: 'displayed', notificationId: id, subscriptionId: ids[k] }, ...(k % 3 === 0 ? [{ type: 'clicked', notificationId: id, subscriptionId: ids[k] }] : []));
        if (events.length) assert.equal((await http(`${server.url}/v1/apps/${app.id}/events`, 'POST', app.publishableKey, { events })).status, 200);
      }
      const purchases = Array.from({ length: 30 }, (_, k) => ({ userId: `u${k * 4}`, name: 'purchase', properties: { value: k + 0.5 } }));
      assert.equal((await http(`${server.url}/v1/apps/${app.id}/track`, 'POST', app.secretKey, { events: purchases })).status, 200);
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0);
      server = undefined;

      store = await openStore(kind === 'sqlite' ? { dataDir } : { databaseUrl: env.DATABASE_URL!, dataDir });
      const count = async (type: ActivityType) => Number((await store!.db.selectFrom('activity').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', type).where('notification_id', '=', id).executeTakeFirstOrThrow()).n);
      const suppressed = subs.filter((_, i) => optedOut(i)).length;
      // One row per outcome, as the notification's own counts say: the restart re-sent what was in flight, and logged it once.
      assert.equal(await count('delivered'), status.counts.delivered);
      assert.equal(await count('delivered'), N - suppressed - gone.length);
      assert.equal(await count('sent'), N - suppressed - gone.length);
      assert.equal(await count('pruned'), gone.length);
      assert.equal(await count('opted_out'), gone.length);
      assert.equal(await count('suppressed'), suppressed);
      const displayedUsers = Array.from({ length: 120 }, (_, k) => k).filter((k) => !optedOut(k) && k % 50 !== 7);
      assert.equal(await count('displayed'), displayedUsers.length, 'each display once, whether its report made it before the kill or was retried');
      assert.equal(await count('clicked'), displayedUsers.filter((k) => k % 3 === 0).length);
      // u0, u4, ... u116 bought: direct when clicked (k % 3 == 0), influenced when displayed, nothing otherwise.
      const buyers = purchases.map((p) => Number(p.userId.slice(1)));
      assert.equal(await count('converted'), buyers.filter((k) => displayedUsers.includes(k)).length);

      const before = await rollupsAndRaw(store);
      assert.ok(before.raw.length >= 9, JSON.stringify(before.raw));
      assert.deepEqual(before.rolled, before.raw, 'the rollups equal the raw log counted per hour and dimension');
      await store.close();
      store = undefined;

      const rebuilt = await runCarillon(['analytics', 'rebuild'], env);
      assert.equal(rebuilt.code, 0, rebuilt.stderr);
      assert.match(rebuilt.stdout, /rollups from .* rebuilt: \d+ rows/);
      store = await openStore(kind === 'sqlite' ? { dataDir } : { databaseUrl: env.DATABASE_URL!, dataDir });
      const after = await rollupsAndRaw(store);
      assert.deepEqual(after.all, before.all, 'a rebuild recounts the same rollups, opt-in steps and conversion kinds included');
    });
  });
}
