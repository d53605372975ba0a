/**
 * Per-step counts (GET .../journeys/{id}/stats) on SQLite and PostgreSQL, on an injected
 * clock: five users through waits, a send one of them turned off, a branch, a purchase
 * before and one after a send (only the latter converts), completion; the counts of each
 * version kept apart, archived runs counted where they were, an unknown version refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from '../campaigns/campaign-fixture.ts';
import { activeJourney, runsOf, titles, track, until, type App } from './journey-fixture.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const JOURNEY = {
  name: 'Counted',
  trigger: { event: 'counted_start' },
  exit: { events: ['purchase'] },
  steps: [
    { wait: { duration: '1h' } },
    { send: { category: 'promotions', content: { en: { title: 'First' } } } },
    { branch: { filter: { attribute: 'vip', op: 'eq', value: true }, then: [{ send: { content: { en: { title: 'VIP' } } } }], else: [] } },
    { wait: { duration: '1d' } },
    { send: { category: 'promotions', content: { en: { title: 'Second' } } } },
  ],
};

const zero = { entered: 0, waiting: 0, sent: 0, skipped: 0, exited: {} };

for (const kind of STORES) {
  describe(`journeys: per-step counts (${kind})`, { timeout: 120_000 }, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: App;
    let clock = T0;
    const device = new Map<string, string>();
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const jump = async (to: number) => {
      await drained(c);
      clock = to;
    };

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (const u of ['u1', 'u2', 'u3', 'u4', 'u5']) device.set(u, await userWithDevice(c, sink, app, u, { language: 'en', ...(u === 'u1' ? { attributes: { vip: true } } : {}) }));
      device.set('u6', await userWithDevice(c, sink, app, 'u6', { language: 'en' }));
      const off = await c.api('PUT', `/v1/apps/${app.id}/users/u4/preferences`, { key: app.secretKey, body: { promotions: false } });
      assert.equal(off.status, 200, JSON.stringify(off.body));
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('entered, waiting, sent, skipped and exited per step; converted is an exit event after a send', async () => {
      const id = await activeJourney(c, app, JOURNEY);
      const stats = async (q = '') => {
        const res = await call('GET', `/journeys/${id}/stats${q}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return res.body;
      };
      const empty = await stats();
      assert.deepEqual(
        empty.steps.map((s: any) => [s.step, s.kind]),
        [
          ['/steps/0', 'wait'],
          ['/steps/1', 'send'],
          ['/steps/2', 'branch'],
          ['/steps/2/branch/then/0', 'send'],
          ['/steps/3', 'wait'],
          ['/steps/4', 'send'],
        ],
        'every step of the tree, depth first, with zero counts',
      );
      assert.deepEqual(empty.steps[3], { step: '/steps/2/branch/then/0', kind: 'send', ...zero });
      assert.deepEqual(empty.runs, { active: 0, ended: 0, converted: 0 });

      for (const u of ['u1', 'u2', 'u3', 'u4', 'u5']) await track(c, app, u, 'counted_start');
      await until('five runs waiting an hour', async () => (await runsOf(c, app, id)).filter((r) => r.step === '/steps/0').length === 5);
      let s = await stats();
      assert.deepEqual(s.steps[0], { step: '/steps/0', kind: 'wait', entered: 5, waiting: 5, sent: 0, skipped: 0, exited: {} });
      assert.deepEqual(s.runs, { active: 5, ended: 0, converted: 0 });

      // u5 buys before anything was sent: an exit, not a conversion.
      await jump(T0 + 30 * 60_000);
      await track(c, app, 'u5', 'purchase');
      await until('u5’s run ended', async () => (await runsOf(c, app, id, 'u5'))[0].state === 'ended');

      await jump(T0 + HOUR + 1_000);
      await until('four runs waiting a day', async () => (await runsOf(c, app, id)).filter((r) => r.step === '/steps/3').length === 4);
      s = await stats();
      assert.deepEqual(s.steps[1], { step: '/steps/1', kind: 'send', entered: 4, waiting: 0, sent: 3, skipped: 1, exited: {} }, 'u4 turned promotions off');
      assert.deepEqual(s.steps[2], { step: '/steps/2', kind: 'branch', entered: 4, waiting: 0, sent: 0, skipped: 0, exited: {} });
      assert.deepEqual(s.steps[3], { step: '/steps/2/branch/then/0', kind: 'send', entered: 1, waiting: 0, sent: 1, skipped: 0, exited: {} }, 'only u1 is a vip');
      assert.equal(s.steps[4].waiting, 4);

      // u2 buys after the first push: converted.
      await jump(T0 + 5 * HOUR);
      await track(c, app, 'u2', 'purchase');
      await until('u2’s run ended', async () => (await runsOf(c, app, id, 'u2'))[0].state === 'ended');

      await jump(T0 + HOUR + DAY + 2_000);
      await until('three runs completed', async () => (await runsOf(c, app, id)).filter((r) => r.endReason === 'completed').length === 3);
      s = await stats();
      assert.deepEqual(s, {
        journeyId: id,
        version: 1,
        runs: { active: 0, ended: 5, converted: 1 },
        steps: [
          { step: '/steps/0', kind: 'wait', entered: 5, waiting: 0, sent: 0, skipped: 0, exited: { 'exit_event:purchase': 1 } },
          { step: '/steps/1', kind: 'send', entered: 4, waiting: 0, sent: 3, skipped: 1, exited: {} },
          { step: '/steps/2', kind: 'branch', entered: 4, waiting: 0, sent: 0, skipped: 0, exited: {} },
          { step: '/steps/2/branch/then/0', kind: 'send', entered: 1, waiting: 0, sent: 1, skipped: 0, exited: {} },
          { step: '/steps/3', kind: 'wait', entered: 4, waiting: 0, sent: 0, skipped: 0, exited: { 'exit_event:purchase': 1 } },
          { step: '/steps/4', kind: 'send', entered: 3, waiting: 0, sent: 2, skipped: 1, exited: { completed: 3 } },
        ],
        ended: { completed: 3, 'exit_event:purchase': 2 },
      });
      // What the counts say was sent is what the devices got.
      await until('the second push to u1', () => sink.receivedFor(device.get('u1')!).length === 3);
      // Two notifications sent a moment apart may reach the device in either order.
      assert.deepEqual(titles(sink.receivedFor(device.get('u1')!)).sort(), ['First', 'Second', 'VIP']);
      assert.deepEqual(titles(sink.receivedFor(device.get('u4')!)), []);

      // A new version counts on its own; the old one keeps its counts.
      const patched = await call('PATCH', `/journeys/${id}`, { steps: [{ wait: { duration: '1h' } }] });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      const v2 = await stats();
      assert.equal(v2.version, 2);
      assert.deepEqual(v2.steps, [{ step: '/steps/0', kind: 'wait', ...zero }]);
      assert.deepEqual((await stats('?version=1')).runs, { active: 0, ended: 5, converted: 1 });

      const unknown = await call('GET', `/journeys/${id}/stats?version=3`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(unknown.body.code, 'journey_version_not_found');
      const bad = await call('GET', `/journeys/${id}/stats?version=0`);
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.equal((await call('GET', '/journeys/jrn_nope/stats')).body.code, 'journey_not_found');

      // Runs archived in flight are counted where they were.
      await jump(clock + DAY);
      await track(c, app, 'u6', 'counted_start');
      await until('u6 on version 2', async () => (await runsOf(c, app, id, 'u6'))[0]?.version === 2);
      assert.equal((await call('POST', `/journeys/${id}/archive`)).status, 200);
      const archived = await stats();
      assert.deepEqual(archived.steps[0].exited, { archived: 1 });
      assert.deepEqual(archived.ended, { archived: 1 });
      assert.deepEqual(archived.runs, { active: 0, ended: 1, converted: 0 });
    });

    if (kind === 'sqlite') {
      test('the counts of 100,000 runs are read in milliseconds, from an index and the step counts alone', async () => {
        const id = await activeJourney(c, app, { name: 'Big', trigger: { event: 'big_start' }, steps: [{ wait: { duration: '1d' } }, { send: { content: { en: { title: 'x' } } } }] });
        // 100,000 runs written at once, as they stand after their moves: 60% waiting on the
        // first step, the rest ended there, with the counts their moves would have added.
        await sql`
          with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000)
          insert into journey_runs (app_id, journey_id, version, user_seq, external_id, state, step, token, due_at, waiting_for, trigger, trigger_key, started_at, ended_at, end_reason, timeline, updated_at, sends)
          select ${app.id}, ${id}, 1, 1000000 + i, 'big' || i, case when i % 5 < 3 then 'active' else 'ended' end, case when i % 5 < 3 then '/steps/0' else null end, 1,
                 null, null, '{}', 'k' || i, ${clock}, null, case when i % 5 < 3 then null else 'completed' end, '[]', ${clock}, 0 from n`.execute(c.ctx.store.db);
        await sql`insert into journey_step_counts (journey_id, version, step, outcome, shard, n) values (${id}, 1, '/steps/0', 'entered', 0, 100000), (${id}, 1, '/steps/1', 'exited:completed', 0, 40000)`.execute(c.ctx.store.db);
        const plan = (await sql<{ detail: string }>`explain query plan select state, step, end_reason, count(*) from journey_runs where journey_id = ${id} and version = 1 group by state, step, end_reason`.execute(c.ctx.store.db)).rows.map((r) => r.detail).join('; ');
        assert.match(plan, /COVERING INDEX journey_runs_position/, plan);
        const started = performance.now();
        const res = await call('GET', `/journeys/${id}/stats`);
        const took = performance.now() - started;
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.runs, { active: 60_000, ended: 40_000, converted: 0 });
        assert.equal(res.body.steps[0].waiting, 60_000);
        assert.equal(res.body.steps[0].entered, 100_000);
        assert.ok(took < 1_000, `stats of 100,000 runs took ${took.toFixed(0)} ms`);
      });
    }
  });
}
