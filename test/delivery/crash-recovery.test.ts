import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORES, createTestDatabase } from '../support/carillon.ts';
import { http, startServerProcess, type ServerProcess } from '../support/process.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

const N = 2000;

for (const kind of STORES) {
  describe(`a notification accepted with 202 survives kill -9 (${kind})`, () => {
    let sink: PushSink;
    let dataDir: string;
    let env: Record<string, string>;
    let server: ServerProcess | undefined;

    before(async () => {
      sink = await startPushSink();
      dataDir = mkdtempSync(join(tmpdir(), 'carillon-crash-'));
      env = {
        CARILLON_DATA_DIR: dataDir,
        CARILLON_ADMIN_KEY: 'crl_ak_crash_test_admin_key',
        CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true',
        CARILLON_BATCH_SIZE: '50',
        // What a restart may repeat is what was in flight: requests the push service took
        // whose answers were not yet committed. Five at a time to the one push service here,
        // so the bound below measures the batches' progress records rather than this number.
        CARILLON_ORIGIN_CONCURRENCY: '5',
        CARILLON_CRYPTO_THREADS: '1',
        CARILLON_RETRY_BASE: '50',
        CARILLON_QUEUE_POLL_INTERVAL: '20',
        // On a shared store the dead worker's jobs are taken over when their lease runs out.
        CARILLON_QUEUE_LEASE: '2000',
        ...(kind === 'postgres' ? { DATABASE_URL: await createTestDatabase() } : {}),
      };
    });
    after(async () => {
      server?.child.kill('SIGKILL');
      await sink.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test(`${N} recipients: killed mid fan-out, restarted, every one delivered or accounted for`, async (t) => {
      server = await startServerProcess(env);
      const admin = env.CARILLON_ADMIN_KEY!;
      const app = (await http(`${server.url}/v1/apps`, 'POST', admin, { name: 'crash' })).body;
      const subs = Array.from({ length: N }, () => sink.subscribe());
      for (let i = 0; i < N; i += 100) {
        await Promise.all(
          subs.slice(i, i + 100).map(async (s) => {
            const res = await http(`${server!.url}/v1/apps/${app.id}/subscriptions`, 'POST', app.publishableKey, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys });
            assert.equal(res.status, 201);
          }),
        );
      }
      // Some answers other than 201, spread through the audience, so the counts after the
      // restart are checked for every kind of outcome: gone for good, and a 500 once.
      const gone = subs.filter((_, i) => i % 100 === 7);
      const flaky = subs.filter((_, i) => i % 100 === 42);
      for (const s of gone) sink.gone(s.id);
      for (const s of flaky) sink.respondWith(s.id, [{ status: 500 }]);
      // A slow push service keeps the fan-out in flight long enough to kill it in the middle.
      sink.setDelay(15);
      const accepted = await http(`${server.url}/v1/apps/${app.id}/notifications`, 'POST', app.secretKey, { to: { all: true }, title: 'Survives', topic: 'crash-test' });
      assert.equal(accepted.status, 202);
      const id = accepted.body.id as string;

      await sink.waitFor(N / 4, 60_000);
      server.child.kill('SIGKILL');
      assert.equal(await server.exited, 'SIGKILL');
      const beforeRestart = sink.received.length;
      assert.ok(beforeRestart < N, `killed in the middle (${beforeRestart} of ${N} had arrived)`);

      sink.setDelay(0);
      server = await startServerProcess(env);
      const deadline = Date.now() + 90_000;
      let status: any;
      do {
        await new Promise((r) => setTimeout(r, 200));
        status = (await http(`${server.url}/v1/apps/${app.id}/notifications/${id}`, 'GET', app.secretKey)).body;
      } while (status.status !== 'completed' && Date.now() < deadline);

      assert.equal(status.status, 'completed', JSON.stringify(status.counts));
      assert.equal(status.counts.targeted, N);
      // Exact, whatever the kill interrupted: recorded outcomes are not counted twice, and
      // what was not recorded is sent and counted once more.
      assert.equal(status.counts.delivered, N - gone.length);
      assert.equal(status.counts.pruned, gone.length);
      assert.equal(status.counts.failed, 0);
      assert.equal(status.counts.pending, 0);
      const failures = (await http(`${server.url}/v1/apps/${app.id}/notifications/${id}/failures`, 'GET', app.secretKey)).body.data;
      assert.equal(failures.length, gone.length, 'one failure row per gone subscription');
      assert.equal(new Set(failures.map((f: any) => f.subscriptionId)).size, gone.length);
      assert.ok(failures.every((f: any) => f.outcome === 'gone' && f.statusCode === 410));
      const perSub = new Map<string, number>();
      for (const r of sink.received) perSub.set(r.subscriptionId, (perSub.get(r.subscriptionId) ?? 0) + 1);
      const missing = subs.filter((s) => !gone.includes(s) && !perSub.has(s.id));
      assert.deepEqual(missing, [], 'every subscription received the notification');
      const duplicates = [...perSub.values()].reduce((sum, n) => sum + n - 1, 0);
      // At least once: what was in flight at the kill is sent again (receivers drop the
      // copies by data.id, and Topic collapses them on the push service), but a batch's
      // progress is committed as it goes, so not the whole of every running batch: phones
      // have no service worker to drop a copy.
      assert.ok(duplicates <= N / 100, `duplicates: ${duplicates} of ${N} recipients, more than 1%`);
      for (const r of sink.received) assert.equal((r.json as any).notification.data.id, id);
      for (const r of sink.received) assert.equal(r.headers.topic, 'crash-test');
      t.diagnostic(`kill -9 (${kind}): ${beforeRestart} of ${N} arrived before the kill; ${duplicates} duplicates after the restart (${((duplicates / N) * 100).toFixed(2)}% of recipients; bound 1%)`);

      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, 'SIGTERM drains and exits cleanly');
      server = undefined;
    });
  });
}
