/**
 * A draft's estimate (`GET .../campaigns/{id}/estimate`), on SQLite and PostgreSQL with the
 * clock injected: planted users each left out for one reason, the figures then held equal
 * to what the same campaign, launched on the same clock, lists by reason; nothing sent,
 * stored or queued by the estimate; the refusals of a launch; a sample above the limit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startCarillon, userIdHash, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import { userWithDevice } from './campaign-fixture.ts';

const T0 = Date.parse('2026-12-01T10:00:00Z'); // 11:00 in Paris
const HOUR = 3_600_000;
const REASONS = ['sent', 'suppressed', 'capped', 'quiet_held', 'render_failed', 'holdout', 'passed'] as const;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`campaign estimate (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0;
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const draft = async (body: Record<string, unknown>) => {
      const res = await call('POST', '/campaigns', { name: 'c', audience: { filter: { attribute: 'group', op: 'eq', value: 'a' } }, content: { en: { title: 'Hello {{ user.attributes.name }}' } }, category: 'promotions', ...body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const estimate = async (id: string) => {
      const res = await call('GET', `/campaigns/${id}/estimate`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };
    const waves = (id: string) => c.ctx.store.db.selectFrom('notifications').select(['id', 'send_at', 'status']).where('campaign_id', '=', id).execute();
    const launchAndSettle = async (id: string) => {
      const res = await call('POST', `/campaigns/${id}/launch`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      for (const w of await waves(id)) if (w.send_at <= clock) await c.waitCompleted(app.id, app.secretKey, w.id);
    };
    /** Users listed by the launched campaign, per reason. */
    const listed = async (id: string) => {
      const out: Record<string, string[]> = {};
      for (const reason of REASONS) {
        const res = await call('GET', `/campaigns/${id}/recipients?reason=${reason}&limit=100`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        out[reason] = res.body.data.map((r: any) => r.userId).sort();
      }
      return out;
    };
    const rows = async () => {
      const db = c.ctx.store.db;
      const n = async (table: 'send_records' | 'notifications' | 'jobs' | 'campaign_user_plans') => Number((await db.selectFrom(table).select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
      return { sendRecords: await n('send_records'), notifications: await n('notifications'), jobs: await n('jobs'), plans: await n('campaign_user_plans'), pushes: sink.received.length };
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 4 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (let i = 0; i < 6; i++) await userWithDevice(c, sink, app, `ok${i}`, { timezone: 'Europe/Paris', attributes: { group: 'a', name: `N${i}` } });
      await userWithDevice(c, sink, app, 'off', { timezone: 'Europe/Paris', attributes: { group: 'a', name: 'Off' } });
      await userWithDevice(c, sink, app, 'capped', { timezone: 'Europe/Paris', attributes: { group: 'a', name: 'Cap' } });
      await userWithDevice(c, sink, app, 'quiet', { timezone: 'Europe/Paris', attributes: { group: 'a', name: 'Q' } });
      await userWithDevice(c, sink, app, 'blank', { timezone: 'Europe/Paris', attributes: { group: 'a' } });
      await userWithDevice(c, sink, app, 'vip', { timezone: 'Europe/Paris', attributes: { group: 'a', name: 'V', vip: true } });
      const bare = await call('PUT', '/users/nosub', { timezone: 'Europe/Paris', attributes: { group: 'a', name: 'Bare' } });
      assert.equal(bare.status, 200, JSON.stringify(bare.body));
      assert.equal((await call('PUT', '/users/off/preferences', { promotions: false })).status, 200);
      const own = await c.api('PUT', `/v1/apps/${app.id}/users/quiet/quiet-hours`, { key: app.publishableKey, body: { quietHours: { start: '10:00', end: '14:00' }, userIdHash: userIdHash(app, 'quiet') } });
      assert.equal(own.status, 200, JSON.stringify(own.body));
      const seg = await call('POST', '/segments', { name: 'vips', filter: { attribute: 'vip', op: 'eq', value: true } });
      assert.equal(seg.status, 201, JSON.stringify(seg.body));
      assert.equal((await call('PATCH', '/campaign-settings', { capRules: [{ max: 1, window: '24h', category: 'promotions' }] })).status, 200);
      // An hour ago, one promotion to `capped` alone: within the 24 h window now.
      clock = T0 - HOUR;
      const prior = await draft({ name: 'prior', audience: { filter: { attribute: 'name', op: 'eq', value: 'Cap' } } });
      await launchAndSettle(prior);
      clock = T0;
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('each planted user is left out for its reason, and the launched campaign lists the same', async () => {
      const segments = (await call('GET', '/segments')).body.data as { id: string; name: string }[];
      const vips = segments.find((s) => s.name === 'vips')!.id;
      const id = await draft({ name: 'main', strict: true, audience: { filter: { attribute: 'group', op: 'eq', value: 'a' }, exclude: { segment: vips } } });
      const before = await rows();
      const e = await estimate(id);
      assert.deepEqual(await rows(), before, 'the estimate sends, stores and queues nothing');
      assert.equal(e.at, new Date(T0).toISOString());
      assert.equal(e.exact, true);
      assert.equal(e.audience, 12);
      assert.deepEqual(e.leftOut, { excluded: 1, no_subscription: 1, suppressed: 1, quiet_held: 1, passed: 0, holdout: 0, capped: 1, render_failed: 1 });
      assert.equal(e.willSend, 6);
      assert.deepEqual(e.subscriptions, { webpush: 6, apns: 0, fcm: 0 });

      await launchAndSettle(id);
      const got = await listed(id);
      assert.deepEqual(got, { sent: ['ok0', 'ok1', 'ok2', 'ok3', 'ok4', 'ok5'], suppressed: ['off'], capped: ['capped'], quiet_held: ['quiet'], render_failed: ['blank'], holdout: [], passed: [] });
      for (const reason of REASONS) assert.equal(got[reason]!.length, reason === 'sent' ? e.willSend : e.leftOut[reason], reason);
      // Launched, it is no longer a draft to estimate.
      const late = await call('GET', `/campaigns/${id}/estimate`);
      assert.equal(late.status, 409);
      assert.equal(late.body.code, 'campaign_status');
    });

    test('the holdout is drawn as the send draws it, from the campaign’s id', async () => {
      // The draw follows the campaign's (random) id: with 9 users eligible, 0.6^9 (1 in 100) of
      // ids hold out nobody, which would check nothing; a draft is made again until one holds some out.
      let id = '';
      let e: Awaited<ReturnType<typeof estimate>> | undefined;
      for (let tries = 0; tries < 10 && !(e && e.leftOut.holdout > 0); tries++) {
        id = await draft({ name: 'ab', variants: { split: [{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }], holdout: 0.4 }, capping: { ignore: true } });
        e = await estimate(id);
      }
      assert.ok(e);
      await launchAndSettle(id);
      const got = await listed(id);
      assert.ok(e.leftOut.holdout > 0, JSON.stringify(e));
      assert.equal(got.holdout!.length, e.leftOut.holdout);
      assert.equal(got.sent!.length, e.willSend);
      assert.equal(got.suppressed!.length, e.leftOut.suppressed);
      assert.equal(got.quiet_held!.length, e.leftOut.quiet_held);
    });

    test('above the render limit, templates are rendered for a sample and the estimate says so', async () => {
      const limit = c.ctx.config.campaignEstimateRenderSample;
      (c.ctx.config as { campaignEstimateRenderSample: number }).campaignEstimateRenderSample = 2;
      try {
        const id = await draft({ name: 'sampled', strict: true, capping: { ignore: true } });
        const e = await estimate(id);
        assert.equal(e.exact, false);
        assert.ok(e.sample >= 0 && e.sample <= 8, JSON.stringify(e));
        assert.equal(e.willSend + e.leftOut.render_failed, 9, 'the users who reach the render: all but off, quiet and nosub (caps ignored, nothing excluded)');
      } finally {
        (c.ctx.config as { campaignEstimateRenderSample: number }).campaignEstimateRenderSample = limit;
      }
    });

    test('refused as the launch is: unknown campaign, a segment gone; a time passed is now, as the launch sends at once', async () => {
      const missing = await call('GET', '/campaigns/cmp_nope/estimate');
      assert.equal(missing.status, 404);
      assert.equal(missing.body.code, 'campaign_not_found');
      const seg = await call('POST', '/segments', { name: 'gone', filter: { attribute: 'group', op: 'eq', value: 'a' } });
      const id = await draft({ name: 'seg', audience: { segment: seg.body.id } });
      assert.equal((await call('DELETE', `/segments/${seg.body.id}`)).status, 204);
      const gone = await call('GET', `/campaigns/${id}/estimate`);
      assert.equal(gone.status, 422, JSON.stringify(gone.body));
      assert.equal(gone.body.code, 'unknown_segment');
      assert.equal(gone.body.pointer, '#/audience/segment');
      const at = await draft({ name: 'at', schedule: { at: new Date(T0 + HOUR).toISOString() } });
      assert.equal((await estimate(at)).at, new Date(T0 + HOUR).toISOString(), 'a time ahead: the estimate is for it');
      clock = T0 + 2 * HOUR;
      try {
        const passed = await estimate(at);
        assert.equal(passed.at, new Date(T0 + 2 * HOUR).toISOString());
      } finally {
        clock = T0;
      }
    });
  });
}
