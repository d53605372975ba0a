import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORES, createTestDatabase } from '../support/carillon.ts';
import { http, startServerProcess, type ServerProcess } from '../support/process.ts';
import { appendActivity } from '../../src/store/activity-log.ts';
import { openStore } from '../../src/store/database.ts';
import { startReceiver, type Receiver } from './harness.ts';

const N = 600;

for (const kind of STORES) {
  describe(`a webhook is never lost to kill -9 (${kind})`, () => {
    let rx: Receiver;
    let dataDir: string;
    let env: Record<string, string>;
    let server: ServerProcess | undefined;
    before(async () => {
      rx = await startReceiver();
      dataDir = mkdtempSync(join(tmpdir(), 'carillon-webhook-crash-'));
      env = {
        CARILLON_DATA_DIR: dataDir,
        CARILLON_ADMIN_KEY: 'crl_ak_webhook_crash_admin_key',
        CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true',
        CARILLON_CRYPTO_THREADS: '1',
        CARILLON_QUEUE_POLL_INTERVAL: '20',
        CARILLON_QUEUE_LEASE: '2000',
        CARILLON_WEBHOOK_DISPATCH_INTERVAL: '20',
        // Small reads, so the kill lands between a cursor's moves as well as between attempts.
        CARILLON_WEBHOOK_DISPATCH_BATCH: '25',
        ...(kind === 'postgres' ? { DATABASE_URL: await createTestDatabase() } : {}),
      };
    });
    after(async () => {
      server?.child.kill('SIGKILL');
      await rx.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test(`${N} events: killed mid-way, restarted, every event received`, async () => {
      server = await startServerProcess(env);
      const admin = env.CARILLON_ADMIN_KEY!;
      const app = (await http(`${server.url}/v1/apps`, 'POST', admin, { name: 'crash' })).body;
      const endpoint = await http(`${server.url}/v1/apps/${app.id}/webhooks`, 'POST', app.secretKey, { url: rx.url });
      assert.equal(endpoint.status, 201);
      // A slow receiver keeps deliveries in flight long enough to kill the server among them.
      rx.setDelay(10);
      // The test plants outcomes in the server's own store, as its writers would.
      const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir });
      try {
        await appendActivity(store.db, Array.from({ length: N }, (_, i) => ({ appId: app.id, type: 'delivered' as const, at: Date.now(), subscriptionId: `sub_${i}` })));
      } finally {
        await store.close();
      }
      const seqs = () => new Set(rx.received.map((r) => JSON.parse(r.body).data.seq as number));
      const deadline1 = Date.now() + 60_000;
      while (seqs().size < N / 4 && Date.now() < deadline1) await new Promise((r) => setTimeout(r, 10));
      server.child.kill('SIGKILL');
      assert.equal(await server.exited, 'SIGKILL');
      const beforeRestart = seqs().size;
      assert.ok(beforeRestart >= N / 4 && beforeRestart < N, `killed in the middle (${beforeRestart} of ${N} events had arrived)`);

      rx.setDelay(0);
      server = await startServerProcess(env);
      const deadline = Date.now() + 90_000;
      while (seqs().size < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(seqs().size, N, `every event arrived (${seqs().size} of ${N}; ${rx.received.length} requests)`);
      const subs = new Set(rx.received.map((r) => JSON.parse(r.body).data.subscriptionId));
      assert.equal(subs.size, N);
      // At least once: what was in flight at the kill may come twice, nothing more.
      assert.ok(rx.received.length - N <= 50, `${rx.received.length - N} repeated`);
    });
  });
}
