/**
 * GET /v1/apps/{appId}/notifications: an app's notifications newest first, by cursor, with
 * the key figures of each (the same as its own GET counts), filtered by status and
 * campaign. Sent to loopback push subscriptions (test/support/push-sink.ts), one refusing
 * for good, with displays and clicks reported as the SDK does. On SQLite and PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

for (const kind of STORES) {
  describe(`the notifications list (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const subs = new Map<string, string>();
    const ids: string[] = [];
    const list = (query = '') => c.api('GET', `/v1/apps/${app.id}/notifications${query}`, { key: app.secretKey });

    before(async () => {
      c = await startCarillon(kind);
      sink = await startPushSink();
      app = await c.createApp('list');
      for (const u of ['u1', 'u2', 'u3']) {
        const s = sink.subscribe();
        if (u === 'u3') sink.respondWith(s.endpoint, [{ status: 400, body: 'bad request' }]);
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, userId: u }) });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        subs.set(u, res.body.id);
      }
      for (const [title, to] of [['To everyone', { all: true }], ['To u1', { userIds: ['u1'] }]] as const) {
        const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to, title } });
        assert.equal(res.status, 202, JSON.stringify(res.body));
        ids.push(res.body.id);
        await c.waitCompleted(app.id, app.secretKey, res.body.id);
      }
      const report = await c.api('POST', `/v1/apps/${app.id}/events`, {
        key: app.publishableKey,
        body: { events: [['displayed', 'u1'], ['displayed', 'u2'], ['clicked', 'u1'], ['clicked', 'u1']].map(([type, u]) => ({ type, notificationId: ids[0], subscriptionId: subs.get(u!) })) },
      });
      assert.equal(report.status, 200, JSON.stringify(report.body));
      const later = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'Tomorrow', sendAt: new Date(Date.now() + 86_400_000).toISOString() } });
      assert.equal(later.status, 202, JSON.stringify(later.body));
      ids.push(later.body.id);
    });
    after(async () => {
      await sink?.close();
      await c?.stop();
    });

    test('newest first, each with its status and the key figures its own GET counts', async () => {
      const res = await list();
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.next, null);
      assert.deepEqual(
        res.body.data.map((n: { title: string; status: string }) => [n.title, n.status]),
        [['Tomorrow', 'scheduled'], ['To u1', 'completed'], ['To everyone', 'completed']],
      );
      const everyone = res.body.data[2];
      assert.deepEqual(everyone.counts, { targeted: 3, delivered: 2, failed: 1, displayed: 2, clicked: 1 }, 'a recipient who clicked twice counts once');
      assert.equal(everyone.campaignId, null);
      for (const row of res.body.data) {
        const own = (await c.api('GET', `/v1/apps/${app.id}/notifications/${row.id}`, { key: app.secretKey })).body;
        assert.deepEqual(row.counts, { targeted: own.counts.targeted, delivered: own.counts.delivered, failed: own.counts.failed, displayed: own.counts.displayed, clicked: own.counts.clicked });
        assert.equal(row.createdAt, own.createdAt);
        assert.equal(row.sendAt, own.sendAt);
      }
    });

    test('paged by cursor, filtered by status and campaign; a cursor not issued here is refused', async () => {
      const seen: string[] = [];
      let next: string | null = null;
      do {
        const res = await list(`?limit=1${next ? `&cursor=${next}` : ''}`);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.data.length, 1);
        seen.push(res.body.data[0].id);
        next = res.body.next;
      } while (next);
      assert.deepEqual(seen, [...ids].reverse());
      assert.deepEqual((await list('?status=scheduled')).body.data.map((n: { id: string }) => n.id), [ids[2]]);
      assert.deepEqual((await list('?campaignId=cmp_none')).body.data, []);
      const bad = await list('?cursor=bm90LW91cnM');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'invalid_cursor');
      const status = await list('?status=lost');
      assert.equal(status.status, 400);
      assert.equal(status.body.code, 'invalid_request');
      // Another app's key sees none of them.
      const other = await c.createApp('other');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/notifications`, { key: other.secretKey })).status, 403);
      assert.deepEqual((await c.api('GET', `/v1/apps/${other.id}/notifications`, { key: other.secretKey })).body.data, []);
    });
  });
}
