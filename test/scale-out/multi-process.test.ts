import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../support/carillon.ts';
import { http, startServerProcess, type ServerProcess } from '../support/process.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

// Fifty batches between two workers: enough for the kill to land mid fan-out, with a
// take-over left to do; the size of the audience is not what this test is about.
const N = 5_000;
const BATCH = 100;

describe('scale-out: one API process and two workers on PostgreSQL and Redis', () => {
  let sink: PushSink;
  const dirs: string[] = [];
  const procs: ServerProcess[] = [];
  let env: Record<string, string>;

  before(async () => {
    const redisUrl = process.env.CARILLON_TEST_REDIS_URL;
    if (!redisUrl) throw new Error('CARILLON_TEST_REDIS_URL is not set: run the tests with `npm test`, which starts Redis');
    sink = await startPushSink();
    env = {
      DATABASE_URL: await createTestDatabase(),
      REDIS_URL: redisUrl,
      CARILLON_QUEUE_PREFIX: `scale_${randomBytes(4).toString('hex')}`,
      CARILLON_ADMIN_KEY: 'crl_ak_scale_out_admin_key',
      // Processes on several machines share one master key; here they share a value.
      CARILLON_MASTER_KEY: randomBytes(32).toString('base64'),
      CARILLON_ALLOW_PRIVATE_ENDPOINTS: 'true',
      CARILLON_BATCH_SIZE: String(BATCH),
      CARILLON_CRYPTO_THREADS: '1',
      CARILLON_RETRY_BASE: '50',
      CARILLON_QUEUE_POLL_INTERVAL: '50',
      CARILLON_QUEUE_LEASE: '3000',
    };
  });
  after(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await sink.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const start = async (role: string) => {
    const dataDir = mkdtempSync(join(tmpdir(), `carillon-${role}-`));
    dirs.push(dataDir);
    const p = await startServerProcess({ ...env, CARILLON_ROLE: role, CARILLON_DATA_DIR: dataDir });
    procs.push(p);
    return p;
  };

  test(`${N} recipients: a worker is killed with SIGKILL mid fan-out, the other finishes, nothing is lost`, async (t) => {
    const api = await start('api');
    const w1 = await start('worker');
    const w2 = await start('worker');
    assert.match(api.output(), /role: api/);
    const workerApi = await fetch(`${w1.url}/v1/apps`, { method: 'POST' });
    assert.equal(workerApi.status, 404, 'a worker serves no API routes');
    assert.equal((await fetch(`${w1.url}/readyz`)).status, 200);

    const app = (await http(`${api.url}/v1/apps`, 'POST', env.CARILLON_ADMIN_KEY!, { name: 'scale' })).body;
    const subs = Array.from({ length: N }, () => sink.subscribe());
    for (let i = 0; i < N; i += 200) {
      await Promise.all(
        subs.slice(i, i + 200).map(async (s) => {
          const res = await http(`${api.url}/v1/apps/${app.id}/subscriptions`, 'POST', app.publishableKey, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys });
          assert.equal(res.status, 201);
        }),
      );
    }
    sink.setDelay(5);
    const accepted = await http(`${api.url}/v1/apps/${app.id}/notifications`, 'POST', app.secretKey, { to: { all: true }, title: 'Scale out', topic: 'scale' });
    assert.equal(accepted.status, 202);
    const id = accepted.body.id as string;

    await sink.waitFor(N / 5, 120_000);
    w1.child.kill('SIGKILL');
    assert.equal(await w1.exited, 'SIGKILL');
    const atKill = sink.received.length;
    sink.setDelay(0);

    const deadline = Date.now() + 240_000;
    let status: any;
    do {
      await new Promise((r) => setTimeout(r, 250));
      status = (await http(`${api.url}/v1/apps/${app.id}/notifications/${id}`, 'GET', app.secretKey)).body;
    } while (status.status !== 'completed' && Date.now() < deadline);
    assert.equal(status.status, 'completed', JSON.stringify(status.counts));
    assert.deepEqual(status.counts, { ...status.counts, targeted: N, delivered: N, failed: 0, pending: 0 });

    const perSub = new Map<string, number>();
    for (const r of sink.received) perSub.set(r.subscriptionId, (perSub.get(r.subscriptionId) ?? 0) + 1);
    assert.deepEqual(subs.filter((s) => !perSub.has(s.id)).map((s) => s.id), [], 'every subscription delivered');
    const duplicates = [...perSub.values()].reduce((sum, n) => sum + n - 1, 0);
    t.diagnostic(`scale-out: ${atKill} of ${N} delivered when a worker was killed; ${duplicates} duplicates after the take-over`);
    assert.equal(w2.child.exitCode, null, 'the surviving worker is still running');
    // Only the batches the dead worker held in flight can arrive twice.
    assert.ok(duplicates <= 4 * BATCH, `duplicates bounded by the dead worker's in-flight batches: ${duplicates}`);
  });
});
