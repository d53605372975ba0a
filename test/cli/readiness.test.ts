/**
 * /readyz means "can accept and deliver": the store takes a write and is undamaged, the
 * queue answers, and the server is not draining. Otherwise 503 problem+json with the
 * reason. Answers are cached for a few seconds on the server's clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openStore } from '../../src/store/database.ts';
import { STORES, startCarillon, testRedisUrl, type TestCarillon } from '../support/carillon.ts';

async function readyz(c: TestCarillon) {
  const res = await c.app.inject({ method: 'GET', url: '/readyz' });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
}

function assertNotReady(res: Awaited<ReturnType<typeof readyz>>, reason: string, detail: RegExp): void {
  assert.equal(res.status, 503, JSON.stringify(res.body));
  assert.match(res.type, /^application\/problem\+json/);
  assert.equal(res.body.code, 'not_ready');
  assert.equal(res.body.reason, reason);
  assert.match(res.body.detail, detail);
}

for (const kind of STORES) {
  describe(`readiness (${kind})`, () => {
    test('a store that cannot take writes is not ready; the answer is kept 5 s on the clock, then asked again', async () => {
      const clock = { now: Date.now() };
      const c = await startCarillon(kind, {}, { now: () => clock.now });
      try {
        assert.deepEqual((await readyz(c)).body, { status: 'ready' });
        // The table the write check writes to goes away, as a write would fail on a broken store.
        await sql`alter table schema_migrations rename to schema_migrations_away`.execute(c.ctx.store.db);
        assert.equal((await readyz(c)).status, 200, 'the last answer stands for a few seconds');
        clock.now += 5_000;
        assertNotReady(await readyz(c), 'store_unwritable', /cannot be written/);
        await sql`alter table schema_migrations_away rename to schema_migrations`.execute(c.ctx.store.db);
        assert.equal((await readyz(c)).status, 503);
        clock.now += 5_000;
        assert.deepEqual((await readyz(c)).body, { status: 'ready' });
      } finally {
        await c.stop();
      }
    });
  });
}

describe('readiness (sqlite, damaged)', () => {
  test('a partly damaged database is not ready (store_damaged), though it answers queries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carillon-ready-'));
    try {
      const store = await openStore({ dataDir: dir });
      await sql`create table filler (id integer primary key, body text not null)`.execute(store.db);
      await sql`insert into filler (body) select printf('%0400d', value) from (with recursive c(value) as (select 1 union all select value + 1 from c where value < 5000) select value from c)`.execute(store.db);
      await store.close();
      const file = join(dir, 'carillon.db');
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.alloc(4096 * 8, 0x5a), 0, 4096 * 8, Math.floor(statSync(file).size / 4096 / 2) * 4096);
      closeSync(fd);

      const c = await startCarillon('sqlite', { dataDir: dir });
      try {
        assert.equal((await c.api('GET', '/healthz')).status, 200, 'alive');
        assertNotReady(await readyz(c), 'store_damaged', /is damaged \(PRAGMA quick_check/);
      } finally {
        await c.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A TCP relay to the test Redis that can be cut and mended, as a network partition
 * would: while cut, bytes wait in both directions and nothing answers.
 */
async function cuttableRelay(target: URL): Promise<{ url: string; cut(): void; mend(): void; close(): Promise<void> }> {
  const pairs: { client: Socket; upstream: Socket }[] = [];
  let cut = false;
  const link = (pair: { client: Socket; upstream: Socket }) => {
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const pair = { client, upstream };
    pairs.push(pair);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    if (!cut) link(pair);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut() {
      cut = true;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    mend() {
      cut = false;
      for (const pair of pairs) link(pair);
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('readiness (queue)', () => {
  test('a queue whose Redis does not answer is not ready (queue_unreachable), and ready again once it does', async () => {
    const clock = { now: Date.now() };
    const relay = await cuttableRelay(new URL(testRedisUrl()));
    const c = await startCarillon('postgres+redis', { redisUrl: relay.url }, { now: () => clock.now });
    try {
      assert.deepEqual((await readyz(c)).body, { status: 'ready' });
      relay.cut();
      clock.now += 5_000;
      assertNotReady(await readyz(c), 'queue_unreachable', /the job queue does not answer/);
      relay.mend();
      clock.now += 5_000;
      assert.deepEqual((await readyz(c)).body, { status: 'ready' });
    } finally {
      relay.mend();
      await c.stop();
      await relay.close();
    }
  });
});
