/**
 * Retrying dead letters over the API (docs/delivery.md#dead-letters): a failed job goes
 * back as waiting with its attempts reset, and fails again only after every attempt;
 * retry-all says how many it put back; an id that names no failed job is
 * `dead_letter_not_found`; the admin key only. On SQLite, PostgreSQL and PostgreSQL with
 * BullMQ on Redis.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';

const MAX_ATTEMPTS = 2;

for (const kind of DEPLOYMENTS) {
  describe(`retrying dead letters (${kind})`, () => {
    let c: TestCarillon;
    before(async () => {
      c = await startCarillon(kind, { maxAttempts: MAX_ATTEMPTS, retryBase: 10, retryMax: 20 });
    });
    after(() => c.stop());

    /** The failed jobs once `n` of them are there (a job no handler knows fails on every attempt). */
    async function failedJobs(n: number): Promise<{ id: string; name: string; data: unknown; attempts: number }[]> {
      for (let i = 0; i < 800; i++) {
        const res = await c.api('GET', '/v1/queue/failed', { key: c.adminKey });
        if (res.body.data.length === n) return res.body.data;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`never ${n} failed jobs`);
    }

    test('a retried job is waiting again, then gets every attempt again', async () => {
      await c.ctx.queue.add([{ name: 'no-such-job', data: { n: 1 } }]);
      const [dead] = await failedJobs(1);
      assert.equal(dead!.attempts, MAX_ATTEMPTS);
      // Workers stopped, to see the job between its retry and its next run.
      await c.ctx.queue.stop();
      const res = await c.api('POST', `/v1/queue/dead-letters/${encodeURIComponent(dead!.id)}/retry`, { key: c.adminKey });
      assert.equal(res.status, 204, JSON.stringify(res.body));
      assert.deepEqual((await c.api('GET', '/v1/queue/failed', { key: c.adminKey })).body.data, []);
      const depth = (await c.api('GET', '/v1/queue', { key: c.adminKey })).body;
      assert.equal(depth.waiting, 1);
      assert.equal(depth.failed, 0);
      const again = await c.api('POST', `/v1/queue/dead-letters/${encodeURIComponent(dead!.id)}/retry`, { key: c.adminKey });
      assert.equal(again.status, 404, 'a waiting job is no dead letter');
      assert.equal(again.body.code, 'dead_letter_not_found');
      c.startWorkers();
      const [redead] = await failedJobs(1);
      assert.equal(redead!.id, dead!.id);
      assert.equal(redead!.attempts, MAX_ATTEMPTS, 'attempts were counted from zero, not on from the first failure');
      assert.deepEqual(redead!.data, { n: 1 });
    });

    test('retry-all puts every failed job back and says how many', async () => {
      await c.ctx.queue.add([{ name: 'no-such-job', data: { n: 2 } }, { name: 'no-such-job', data: { n: 3 } }]);
      await failedJobs(3);
      await c.ctx.queue.stop();
      const res = await c.api('POST', '/v1/queue/dead-letters/retry-all', { key: c.adminKey });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { retried: 3 });
      assert.equal((await c.api('GET', '/v1/queue', { key: c.adminKey })).body.waiting, 3);
      assert.deepEqual((await c.api('POST', '/v1/queue/dead-letters/retry-all', { key: c.adminKey })).body, { retried: 0 });
      c.startWorkers();
      assert.deepEqual((await failedJobs(3)).map((j) => j.attempts), [MAX_ATTEMPTS, MAX_ATTEMPTS, MAX_ATTEMPTS]);
    });

    test('an unknown id is dead_letter_not_found; an app key is refused', async () => {
      for (const id of ['999999', 'nope', 'no-such-job']) {
        const res = await c.api('POST', `/v1/queue/dead-letters/${id}/retry`, { key: c.adminKey });
        assert.equal(res.status, 404, id);
        assert.equal(res.body.code, 'dead_letter_not_found');
      }
      const app = await c.createApp();
      const [dead] = await failedJobs(3);
      for (const url of [`/v1/queue/dead-letters/${encodeURIComponent(dead!.id)}/retry`, '/v1/queue/dead-letters/retry-all']) {
        const res = await c.api('POST', url, { key: app.secretKey });
        assert.equal(res.status, 403, url);
        assert.equal(res.body.code, 'forbidden');
      }
      assert.equal((await c.api('GET', '/v1/queue', { key: c.adminKey })).body.failed, 3, 'nothing was retried');
    });
  });
}
