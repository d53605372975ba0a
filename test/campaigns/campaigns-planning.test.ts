/**
 * An intelligent campaign is planned by a job, out of the launch request: the launch
 * answers at once with the campaign `planning`, GET shows how many users are planned of
 * how many, and a plan whose worker failed between pages goes on from its cursor, planning
 * no user twice (plan rows are inserted, so a second row for a user would be refused and
 * the plan could never finish). On SQLite and PostgreSQL with the clock injected.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { drained, userWithDevice } from './campaign-fixture.ts';

const LAUNCH = Date.parse('2026-12-01T10:00:00Z');
const USERS = 9;

for (const kind of STORES) {
  describe(`planning an intelligent campaign (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = LAUNCH;
    const userOf = new Map<string, string>();
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const db = () => c.ctx.store.db;
    const seqOf = async (user: string) => Number((await db().selectFrom('users').select('seq').where('app_id', '=', app.id).where('external_id', '=', user).executeTakeFirstOrThrow()).seq);
    const plans = async (id: string) => (await db().selectFrom('campaign_user_plans').select(['user_seq', 'send_at']).where('campaign_id', '=', id).orderBy('user_seq').execute()).map((p) => ({ user: Number(p.user_seq), at: Number(p.send_at) }));
    const draft = async (name: string) => {
      const created = await call('POST', '/campaigns', { name, audience: { filter: { attribute: 'group', op: 'eq', value: 'p' } }, content: { en: { title: 'Hi' } }, schedule: { intelligent: { within: '24h', fallback: '18:00' } } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.id as string;
    };
    /** A row in the way of the fifth user's: the page that plans them fails, as a worker dying mid-page would, and rolls back. */
    const obstruct = async (id: string) => db().insertInto('campaign_user_plans').values({ campaign_id: id, run: 1, user_seq: await seqOf('u4'), send_at: 1, timing: '{}' }).execute();
    const clear = async (id: string) => db().deleteFrom('campaign_user_plans').where('campaign_id', '=', id).where('send_at', '=', 1).execute();

    before(async () => {
      // Two users a page: nine users are five pages, the fifth user on the third.
      c = await startCarillon(kind, { batchSize: 4, campaignPlanPage: 2 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (let i = 0; i < USERS; i++) userOf.set(await userWithDevice(c, sink, app, `u${i}`, { timezone: 'Europe/Paris', attributes: { group: 'p' } }), `u${i}`);
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a plan that failed on its third page goes on from its cursor: each user planned once, then sent at the hour planned', async () => {
      const id = await draft('resumed');
      await obstruct(id);
      const launched = await call('POST', `/campaigns/${id}/launch`);
      assert.equal(launched.status, 200, JSON.stringify(launched.body));
      assert.equal(launched.body.status, 'planning');
      await drained(c);
      const stuck = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(stuck.status, 'planning');
      assert.deepEqual({ phase: stuck.planning.phase, planned: stuck.planning.planned, total: stuck.planning.total, finishedAt: stuck.planning.finishedAt }, { phase: 'launch', planned: 4, total: USERS, finishedAt: null }, 'two pages committed, the third rolled back');
      const firstRows = (await plans(id)).filter((p) => p.at !== 1);
      assert.deepEqual(firstRows.map((p) => p.user), await Promise.all(['u0', 'u1', 'u2', 'u3'].map(seqOf)));
      assert.equal((await db().selectFrom('notifications').select('id').where('campaign_id', '=', id).execute()).length, 0, 'no wave before the plan is done');

      // The obstacle gone, the job's retry (due on the injected clock) goes on from the cursor.
      await clear(id);
      clock += 10_000;
      await drained(c);
      const done = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(done.status, 'scheduled', JSON.stringify(done.planning));
      assert.equal(done.planning.planned, USERS);
      assert.equal(done.planning.total, USERS);
      assert.equal(done.planning.finishedAt, new Date(clock).toISOString());
      const rows = await plans(id);
      assert.deepEqual(rows.map((p) => p.user), await Promise.all(Array.from({ length: USERS }, (_, i) => seqOf(`u${i}`))), 'every user once');
      assert.deepEqual(rows.slice(0, 4), firstRows, 'the pages committed before the failure were not planned again');
      assert.ok(rows.every((p) => p.at === Date.parse('2026-12-01T17:00:00Z')), 'no history: the fallback, 18:00 in Paris');

      clock = Date.parse('2026-12-01T17:00:00Z');
      await drained(c);
      assert.equal(sink.received.length, USERS, 'each user once');
      assert.equal((await call('GET', `/campaigns/${id}`)).body.counts.recipients.sent, USERS);
    });

    test('an audience of no one, in winner mode: planned, and completed at once, with nothing left to decide', async () => {
      const variants = { split: [{ id: 'A', weight: 1 }, { id: 'B', weight: 1 }], winner: { wait: '1h' } };
      const created = await call('POST', '/campaigns', { name: 'nobody', audience: { filter: { attribute: 'group', op: 'eq', value: 'none' } }, content: { en: { title: 'Hi' } }, schedule: { intelligent: {} }, variants });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal((await call('POST', `/campaigns/${created.body.id}/launch`)).body.status, 'planning');
      await drained(c);
      const got = (await call('GET', `/campaigns/${created.body.id}`)).body;
      assert.equal(got.status, 'completed');
      assert.deepEqual([got.planning.planned, got.planning.total], [0, 0]);
      clock += 2 * 3_600_000;
      await drained(c);
      assert.equal((await call('GET', `/campaigns/${created.body.id}`)).body.decision, null, 'no decision job was left');
      clock -= 2 * 3_600_000;
    });

    test('cancelled while planning: the plan stops at its next page, and nothing is sent', async () => {
      sink.received.length = 0;
      const id = await draft('cancelled');
      await obstruct(id);
      assert.equal((await call('POST', `/campaigns/${id}/launch`)).body.status, 'planning');
      await drained(c);
      const cancelled = await call('POST', `/campaigns/${id}/cancel`);
      assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.equal(cancelled.body.status, 'cancelled');
      await clear(id);
      clock += 10_000;
      await drained(c);
      const got = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(got.status, 'cancelled');
      assert.equal(got.planning.planned, 4, 'no page planned after the cancel');
      assert.equal((await plans(id)).length, 4);
      clock += 86_400_000;
      await drained(c);
      assert.equal(sink.received.length, 0);
    });

    test('paused while planning, resumed: the plan goes on from its cursor', async () => {
      const id = await draft('paused');
      await obstruct(id);
      assert.equal((await call('POST', `/campaigns/${id}/launch`)).body.status, 'planning');
      await drained(c);
      assert.equal((await call('POST', `/campaigns/${id}/pause`)).body.status, 'paused');
      await clear(id);
      clock += 10_000;
      await drained(c);
      assert.equal((await call('GET', `/campaigns/${id}`)).body.planning.planned, 4, 'a paused campaign plans nothing');
      const resumed = await call('POST', `/campaigns/${id}/resume`);
      assert.equal(resumed.body.status, 'planning', JSON.stringify(resumed.body));
      await drained(c);
      const got = (await call('GET', `/campaigns/${id}`)).body;
      assert.equal(got.status, 'scheduled');
      assert.equal(got.planning.planned, USERS);
      assert.equal((await plans(id)).length, USERS);
    });
  });
}
