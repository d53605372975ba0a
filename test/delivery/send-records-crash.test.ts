/**
 * Send records survive kill -9 exactly: a server killed in the middle of a fan-out and
 * restarted leaves one row per recipient, never two, whatever the kill interrupted (a
 * progress commit, a page of the fan-out, a retry). Real server processes on SQLite,
 * PostgreSQL, and PostgreSQL + Redis (BullMQ), as test/delivery/crash-recovery.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DEPLOYMENTS, createTestDatabase, testRedisUrl, userIdHash } from '../support/carillon.ts';
import { http, startServerProcess, type ServerProcess } from '../support/process.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { openStore, type Store } from '../../src/store/database.ts';

const N = 1000;
/** Subscriptions whose user turned promotions off: left out at fan-out, recorded as suppressed. */
const optedOut = (i: number) => i % 10 === 3;
/** Half the others have a user; the rest are anonymous (no user_seq in their records). */
const hasUser = (i: number) => optedOut(i) || i % 2 === 0;

for (const kind of DEPLOYMENTS) {
  describe(`send records after kill -9 (${kind})`, () => {
    let sink: PushSink;
    let dataDir: string;
    let env: Record<string, string>;
    let server: ServerProcess | undefined;
    let store: Store | undefined;

    before(async () => {
      sink = await startPushSink();
      dataDir = mkdtempSync(join(tmpdir(), 'carillon-records-crash-'));
      env = {
        CARILLON_DATA_DIR: dataDir,
        CARILLON_ADMIN_KEY: 'crl_ak_records_crash_admin_key',
        CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true',
        CARILLON_BATCH_SIZE: '50',
        CARILLON_ORIGIN_CONCURRENCY: '5',
        CARILLON_CRYPTO_THREADS: '1',
        CARILLON_RETRY_BASE: '50',
        CARILLON_QUEUE_POLL_INTERVAL: '20',
        CARILLON_QUEUE_LEASE: '2000',
        ...(kind !== 'sqlite' ? { DATABASE_URL: await createTestDatabase() } : {}),
        ...(kind === 'postgres+redis' ? { REDIS_URL: testRedisUrl(), CARILLON_QUEUE_PREFIX: `t_${randomBytes(6).toString('hex')}` } : {}),
      };
    });
    after(async () => {
      server?.child.kill('SIGKILL');
      await store?.close();
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test(`${N} recipients: one send record each after a kill in the middle and a restart`, async () => {
      server = await startServerProcess(env);
      const admin = env.CARILLON_ADMIN_KEY!;
      const app = (await http(`${server.url}/v1/apps`, 'POST', admin, { name: 'records crash' })).body;
      const subs = Array.from({ length: N }, () => sink.subscribe());
      for (let i = 0; i < N; i += 100) {
        await Promise.all(
          subs.slice(i, i + 100).map(async (s, k) => {
            const user = hasUser(i + k) ? { userId: `u${i + k}`, userIdHash: userIdHash(app, `u${i + k}`) } : {};
            const res = await http(`${server!.url}/v1/apps/${app.id}/subscriptions`, 'POST', app.publishableKey, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, ...user });
            assert.equal(res.status, 201, JSON.stringify(res.body));
          }),
        );
      }
      for (let i = 0; i < N; i++) {
        if (!optedOut(i)) continue;
        const res = await http(`${server.url}/v1/apps/${app.id}/users/u${i}/preferences`, 'PUT', app.secretKey, { promotions: false });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      const gone = subs.filter((_, i) => i % 100 === 7);
      const flaky = subs.filter((_, i) => i % 100 === 42);
      for (const s of gone) sink.gone(s.id);
      for (const s of flaky) sink.respondWith(s.id, [{ status: 500 }]);
      sink.setDelay(15);
      const accepted = await http(`${server.url}/v1/apps/${app.id}/notifications`, 'POST', app.secretKey, { to: { all: true }, title: 'Counted once', preferenceCategory: 'promotions' });
      assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
      const id = accepted.body.id as string;

      await sink.waitFor(N / 4, 60_000);
      server.child.kill('SIGKILL');
      assert.equal(await server.exited, 'SIGKILL');
      assert.ok(sink.received.length < N * 0.9, `killed in the middle (${sink.received.length} of ${N} had arrived)`);

      sink.setDelay(0);
      server = await startServerProcess(env);
      const deadline = Date.now() + 90_000;
      let status: any;
      do {
        await new Promise((r) => setTimeout(r, 200));
        status = (await http(`${server.url}/v1/apps/${app.id}/notifications/${id}`, 'GET', app.secretKey)).body;
      } while (status.status !== 'completed' && Date.now() < deadline);
      assert.equal(status.status, 'completed', JSON.stringify(status.counts));

      const suppressed = subs.filter((_, i) => optedOut(i)).length;
      assert.deepEqual(
        [status.counts.targeted, status.counts.delivered, status.counts.pruned, status.counts.suppressed, status.counts.pending],
        [N - suppressed, N - suppressed - gone.length, gone.length, suppressed, 0],
      );

      store = await openStore(kind === 'sqlite' ? { dataDir } : { databaseUrl: env.DATABASE_URL!, dataDir });
      const rows = await store.db.selectFrom('send_records').select(['subscription_seq', 'user_seq', 'reason', 'counts_for_caps', 'detail']).where('notification_id', '=', id).execute();
      assert.equal(rows.length, N, 'one row per matched recipient, none doubled by the restart');
      assert.equal(new Set(rows.map((r) => Number(r.subscription_seq))).size, N, 'each subscription once');
      const byReason = (reason: string, caps?: number) => rows.filter((r) => r.reason === reason && (caps === undefined || Number(r.counts_for_caps) === caps));
      assert.equal(byReason('suppressed').length, suppressed);
      assert.ok(byReason('suppressed').every((r) => r.user_seq !== null && r.detail === 'turned promotions off'));
      assert.equal(byReason('sent', 1).length, N - suppressed - gone.length, 'a delivered send counts for caps, once');
      assert.equal(byReason('sent', 0).length, gone.length);
      assert.ok(byReason('sent', 0).every((r) => /^gone 410/.test(r.detail ?? '')));
      // The users joined in: every record of a subscription with a user carries it.
      const withUser = rows.filter((r) => r.user_seq !== null).length;
      assert.equal(withUser, subs.filter((_, i) => hasUser(i)).length);

      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, 'SIGTERM drains and exits cleanly');
      server = undefined;
    });
  });
}
