/**
 * Preferences at fan-out, end to end: real runtimes on SQLite and PostgreSQL deliver to the
 * loopback push service (test/support/push-sink.ts). A subscription whose user turned a
 * notification's category off is not sent it, and is counted as suppressed, once, across
 * the pages of the fan-out; everyone else still gets it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink, type SinkSubscription } from '../support/push-sink.ts';

for (const kind of STORES) {
  describe(`preferences at fan-out (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;

    const register = async (s: SinkSubscription, extra: Record<string, unknown> = {}) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, ...extra }) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    };
    const setPreferences = async (user: string, body: Record<string, boolean>) => {
      const res = await c.api('PUT', `/v1/apps/${app.id}/users/${user}/preferences`, { key: app.secretKey, body });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };
    const send = async (body: Record<string, unknown>) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };
    /** The sink's subscriptions that received notification `id`. */
    const reached = (subs: SinkSubscription[], id: string) => subs.filter((s) => sink.receivedFor(s.id).some((r) => (r.json as any)?.notification?.data?.id === id));

    before(async () => {
      // Pages of 3, so that a fan-out of a few subscriptions runs over several pages.
      c = await startCarillon(kind, { batchSize: 3 });
      sink = await startPushSink();
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a user who turned promotions off gets no promotion while others do; counts say suppressed 1, preference_off; an orders notification still reaches them', async () => {
      const alice = sink.subscribe();
      const bob = sink.subscribe();
      const visitor = sink.subscribe();
      await register(alice, { userId: 'alice', tags: { group: 'first' } });
      await register(bob, { userId: 'bob', tags: { group: 'first' } });
      await register(visitor, { tags: { group: 'first' } });
      await setPreferences('alice', { promotions: false });

      const promo = await send({ to: { tags: { group: 'first' } }, title: '20% off', preferenceCategory: 'promotions' });
      const status = await c.waitCompleted(app.id, app.secretKey, promo);
      assert.deepEqual(reached([alice, bob, visitor], promo), [bob, visitor], 'a subscription with no user is never suppressed');
      assert.deepEqual(
        [status.counts.targeted, status.counts.delivered, status.counts.suppressed, status.counts.pending, status.suppressed, status.preferenceCategory],
        [2, 2, 1, 0, { preference_off: 1 }, 'promotions'],
      );

      const order = await send({ to: { tags: { group: 'first' } }, title: 'Your order shipped', preferenceCategory: 'orders' });
      const shipped = await c.waitCompleted(app.id, app.secretKey, order);
      assert.deepEqual(reached([alice, bob, visitor], order), [alice, bob, visitor]);
      assert.deepEqual([shipped.counts.targeted, shipped.counts.suppressed, shipped.suppressed], [3, 0, {}]);

      const plain = await send({ to: { userIds: ['alice'] }, title: 'No category: no preference applies' });
      assert.equal((await c.waitCompleted(app.id, app.secretKey, plain)).counts.delivered, 1);
      assert.deepEqual(reached([alice], plain), [alice]);

      const onlyAlice = await send({ to: { userIds: ['alice'] }, title: 'Flash sale', preferenceCategory: 'promotions' });
      const none = await c.waitCompleted(app.id, app.secretKey, onlyAlice);
      assert.deepEqual([none.status, none.counts.targeted, none.counts.suppressed, none.suppressed], ['completed', 0, 1, { preference_off: 1 }]);
      assert.deepEqual(reached([alice], onlyAlice), []);
    });

    test('a user who turned off every category they may still gets security notifications', async () => {
      const erin = sink.subscribe();
      await register(erin, { userId: 'erin' });
      await setPreferences('erin', { orders: false, promotions: false, civic: false });
      const refused = await c.api('PUT', `/v1/apps/${app.id}/users/erin/preferences`, { key: app.secretKey, body: { security: false } });
      assert.equal(refused.body.code, 'category_always_on');
      const code = await send({ to: { userIds: ['erin'] }, title: 'Your sign-in code is 482913', urgency: 'high', preferenceCategory: 'security' });
      const civic = await send({ to: { userIds: ['erin'] }, title: 'Road closed', preferenceCategory: 'civic' });
      assert.equal((await c.waitCompleted(app.id, app.secretKey, code)).counts.delivered, 1);
      assert.equal((await c.waitCompleted(app.id, app.secretKey, civic)).counts.suppressed, 1);
      assert.deepEqual(reached([erin], code), [erin]);
      assert.deepEqual(reached([erin], civic), []);
    });

    test('across many pages each suppressed subscription is counted once, also when the last pages hold only suppressed ones', async () => {
      const subs: SinkSubscription[] = [];
      const off = new Set<number>([1, 2, 5, 8, 9, 10, 11, 12, 13]);
      for (let i = 0; i < 14; i++) {
        const s = sink.subscribe();
        subs.push(s);
        await register(s, { userId: `many-${i}`, tags: { group: 'many' } });
        if (off.has(i)) await setPreferences(`many-${i}`, { promotions: false });
      }
      const id = await send({ to: { tags: { group: 'many' } }, title: 'Weekend deals', preferenceCategory: 'promotions' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual(reached(subs, id), subs.filter((_, i) => !off.has(i)));
      assert.deepEqual([status.counts.targeted, status.counts.delivered, status.counts.suppressed, status.suppressed], [5, 5, 9, { preference_off: 9 }]);
      const batches = await c.ctx.store.db.selectFrom('delivery_batches').select('size').where('notification_id', '=', id).execute();
      assert.ok(batches.length >= 2, `${batches.length} pages`);
    });

    test("an app's own category is declared, used and honoured; a category the app does not have is refused with a pointer, nothing queued", async () => {
      const patch = await c.api('PATCH', `/v1/apps/${app.id}`, { key: app.secretKey, body: { categories: ['price_drop'] } });
      assert.equal(patch.status, 200);
      const carol = sink.subscribe();
      const dan = sink.subscribe();
      await register(carol, { userId: 'carol', tags: { group: 'own' } });
      await register(dan, { userId: 'dan', tags: { group: 'own' } });
      await setPreferences('dan', { price_drop: false });
      const id = await send({ to: { tags: { group: 'own' } }, title: 'The kettle you liked is cheaper', preferenceCategory: 'price_drop' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual(reached([carol, dan], id), [carol]);
      assert.deepEqual([status.counts.suppressed, status.suppressed], [1, { preference_off: 1 }]);

      const count = async () => Number((await c.ctx.store.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', app.id).executeTakeFirstOrThrow()).n);
      const before = await count();
      const unknown = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { all: true }, title: 'x', preferenceCategory: 'newsletter' } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.code, 'unknown_category');
      assert.equal(unknown.body.errors[0].pointer, '#/preferenceCategory');
      assert.equal(await count(), before, 'nothing stored or queued');

      // The APNs category (action buttons) is content, apart from the preference category.
      const both = await send({ to: { userIds: ['carol'] }, title: 'Reply?', category: 'REPLY', preferenceCategory: 'price_drop' });
      const view = await c.api('GET', `/v1/apps/${app.id}/notifications/${both}`, { key: app.secretKey });
      assert.deepEqual([view.body.content.category, view.body.preferenceCategory], ['REPLY', 'price_drop']);
    });
  });
}
