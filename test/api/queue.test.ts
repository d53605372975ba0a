import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, type TestCarillon } from '../support/carillon.ts';

for (const kind of DEPLOYMENTS) {
  describe(`the dead-letter view (${kind})`, () => {
    let c: TestCarillon;
    before(async () => {
      c = await startCarillon(kind, { maxAttempts: 2, retryBase: 10, retryMax: 20 });
    });
    after(() => c.stop());

    test('jobs that failed for good are listed with their error, to the admin key only', async () => {
      // A job no handler knows fails on every attempt.
      await c.ctx.queue.add([{ name: 'no-such-job', data: { n: 1 }, key: 'dead-letter-test' }]);
      const failed = await (async () => {
        for (let i = 0; i < 400; i++) {
          const res = await c.api('GET', '/v1/queue/failed', { key: c.adminKey });
          if (res.body.data.length) return res.body.data;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error('the job never failed for good');
      })();
      assert.equal(failed.length, 1);
      assert.equal(failed[0].name, 'no-such-job');
      assert.deepEqual(failed[0].data, { n: 1 });
      assert.match(failed[0].error, /no handler for job no-such-job/);
      const depth = await c.api('GET', '/v1/queue', { key: c.adminKey });
      assert.equal(depth.body.failed, 1);
      const app = await c.createApp();
      const denied = await c.api('GET', '/v1/queue/failed', { key: app.secretKey });
      assert.equal(denied.status, 403);
    });
  });
}
