/**
 * What a send logs, per recipient, on real runtimes delivering to the loopback push sink:
 * a delivered send is `sent` and `delivered` with its campaign, variant, category, channel,
 * subscription and user; a cap `capped`; a message over the channel's limit `failed`; a
 * gone subscription `pruned` and `opted_out`; and the rollups count exactly those rows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';
import type { Personalised, Personaliser } from '../../src/delivery/personaliser.ts';

const personaliser: Personaliser = {
  async personalise(_n, recipients, base) {
    const tags = { campaignId: 'cmp_spring', variant: 'b' };
    return recipients.map((r): Personalised => {
      if (r.externalId === 'carol') return { skip: { reason: 'capped', detail: '3 in 24h (promotions)' }, tags };
      if (r.externalId === 'victor') return { message: { ...base, content: { ...base.content, body: 'x'.repeat(5000) } }, tags };
      return { message: base, tags };
    });
  },
};

for (const kind of STORES) {
  describe(`activity of a send (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const subs = new Map<string, string>();

    before(async () => {
      c = await startCarillon(kind, { batchSize: 2 }, { personaliser });
      sink = await startPushSink();
      app = await c.createApp();
      for (const u of ['ann', 'bob', 'carol', 'victor', 'gone']) {
        const s = sink.subscribe();
        if (u === 'gone') sink.gone(s.id);
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: u }) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        subs.set(u, res.body.id);
      }
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('each recipient’s outcome is its rows, with the dimensions, and the rollups count them', async () => {
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'Spring', preferenceCategory: 'promotions' } });
      assert.equal(res.status, 202);
      const id = res.body.id as string;
      await c.waitCompleted(app.id, app.secretKey, id);
      const rows = await c.ctx.store.db.selectFrom('activity').select(['type', 'user_id', 'subscription_id', 'campaign_id', 'variant', 'category', 'channel', 'data']).where('notification_id', '=', id).orderBy('seq').execute();
      const by = (u: string) => rows.filter((r) => r.user_id === u).map((r) => r.type).sort();
      assert.deepEqual(by('ann'), ['delivered', 'sent']);
      assert.deepEqual(by('bob'), ['delivered', 'sent']);
      assert.deepEqual(by('carol'), ['capped']);
      assert.deepEqual(by('victor'), ['failed']);
      assert.deepEqual(by('gone'), ['opted_out', 'pruned']);
      for (const r of rows) {
        assert.equal(r.campaign_id, 'cmp_spring');
        assert.equal(r.variant, 'b');
        assert.equal(r.category, 'promotions');
        assert.equal(r.channel, 'webpush');
        assert.equal(r.subscription_id, subs.get(r.user_id!));
      }
      assert.deepEqual(JSON.parse(rows.find((r) => r.type === 'capped')!.data!), { reason: 'capped', detail: '3 in 24h (promotions)' });
      const large = JSON.parse(rows.find((r) => r.user_id === 'victor')!.data!);
      assert.equal(large.reason, 'too_large');
      assert.match(large.detail, /over the webpush limit/);
      assert.equal(JSON.parse(rows.find((r) => r.type === 'pruned')!.data!).status, 410);
      const rolled = await c.ctx.store.db.selectFrom('activity_rollups').select(['type', 'count']).where('notification_id', '=', id).execute();
      assert.deepEqual(Object.fromEntries(rolled.map((r) => [r.type, Number(r.count)])), { capped: 1, delivered: 2, failed: 1, opted_out: 1, pruned: 1, sent: 2 });
    });
  });
}
