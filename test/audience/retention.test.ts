import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { reconcile } from '../../src/delivery/reconcile.ts';
import { EVENT_PRUNE_JOB, PRUNE_CHUNK, PRUNE_CHUNKS_PER_RUN, eventPruneJob, nextPruneAt } from '../../src/audience/events/prune-job.ts';

const DAY = 86_400_000;

/** Polls a condition of the store (the worker runs on its own); the server's clock is never waited for. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const kind of STORES) {
  describe(`event retention (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    // The server's clock is the test's: the prune's schedule and the retention are driven by it.
    let clock = Date.parse('2026-06-01T08:30:00Z');
    const names = async () => (await c.ctx.store.db.selectFrom('user_events').select('name').where('app_id', '=', app.id).orderBy('at').execute()).map((e) => e.name);
    const pruneJobs = async () => (await c.ctx.store.db.selectFrom('jobs').select(['key', 'run_at']).where('name', '=', EVENT_PRUNE_JOB).execute()).map((j) => [j.key, Number(j.run_at)]);

    before(async () => {
      c = await startCarillon(kind, { eventRetentionDays: 30 }, { now: () => clock });
      app = await c.createApp();
    });
    after(() => c.stop());

    test('events older than eventRetentionDays are deleted by the hourly prune, which schedules itself again', async () => {
      const at = (days: number) => new Date(clock - days * DAY).toISOString();
      const res = await c.api('POST', `/v1/apps/${app.id}/track`, {
        key: app.secretKey,
        body: { events: [{ userId: 'r', name: 'old', time: at(29) }, { userId: 'r', name: 'middle', time: at(10) }, { userId: 'r', name: 'new', time: at(0) }] },
      });
      assert.deepEqual(res.body, { accepted: 3, duplicates: 0, refused: [] });

      // The reconcile pass starts the chain: its next run is the next hour boundary.
      const requeued = await reconcile(c.ctx, [eventPruneJob(c.ctx)]);
      assert.equal(requeued[EVENT_PRUNE_JOB], 1);
      const nine = Date.parse('2026-06-01T09:00:00Z');
      assert.deepEqual(await pruneJobs(), [[`${EVENT_PRUNE_JOB}:${nine}`, nine]]);
      // Asked again while the chain lives, it adds nothing: the key is queued already.
      await reconcile(c.ctx, [eventPruneJob(c.ctx)]);
      assert.equal((await pruneJobs()).length, 1);

      // Two days on, "old" is 31 days old; the 09:00 run has long been due.
      clock += 2 * DAY;
      const next = nextPruneAt(clock);
      await until('the prune to run and schedule the next hour', async () => JSON.stringify(await pruneJobs()) === JSON.stringify([[`${EVENT_PRUNE_JOB}:${next}`, next]]));
      assert.deepEqual(await names(), ['middle', 'new']);
      assert.equal((await c.ctx.store.db.selectFrom('users').select('external_id').where('app_id', '=', app.id).execute()).length, 1, 'the user stays');

      // Lost (a Redis that restarted empty): reconcile finds the chain's next run again.
      await c.ctx.store.db.deleteFrom('jobs').where('name', '=', EVENT_PRUNE_JOB).execute();
      await reconcile(c.ctx, [eventPruneJob(c.ctx)]);
      assert.deepEqual(await pruneJobs(), [[`${EVENT_PRUNE_JOB}:${next}`, next]]);

      clock += 21 * DAY;
      await until('"middle" to pass the retention and go', async () => JSON.stringify(await names()) === JSON.stringify(['new']));
    });

    test('a backlog larger than one run is deleted in bounded chunks by runs that follow at once', async () => {
      const perRun = PRUNE_CHUNK * PRUNE_CHUNKS_PER_RUN;
      const user = await c.ctx.store.db.selectFrom('users').select('seq').where('app_id', '=', app.id).executeTakeFirstOrThrow();
      const old = clock - 40 * DAY;
      // Written straight to the store: /track refuses events past the retention.
      const rows = Array.from({ length: perRun + 1_000 }, (_, i) => ({ app_id: app.id, user_seq: Number(user.seq), name: 'backlog', at: old + i, properties: '{}', event_id: null, received_at: old }));
      for (let i = 0; i < rows.length; i += 2_000) await c.ctx.store.db.insertInto('user_events').values(rows.slice(i, i + 2_000)).execute();
      const count = async () => Number((await c.ctx.store.db.selectFrom('user_events').select((eb) => eb.fn.countAll<number>().as('n')).where('name', '=', 'backlog').executeTakeFirstOrThrow()).n);
      assert.equal(await count(), perRun + 1_000);

      clock = nextPruneAt(clock) + 1;
      await until('the backlog to be gone', async () => (await count()) === 0, 60_000);
      assert.deepEqual(await names(), ['new']);
      const next = nextPruneAt(clock);
      await until('the chain to be back on the hour', async () => JSON.stringify(await pruneJobs()) === JSON.stringify([[`${EVENT_PRUNE_JOB}:${next}`, next]]));
    });
  });
}
