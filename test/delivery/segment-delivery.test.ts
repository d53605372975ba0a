/**
 * Sending to segments and filters end to end, on SQLite and PostgreSQL: the runtime with
 * its workers, the loopback push service as every browser, batches of 3 so that an
 * audience spans many pages, and the clock injected.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
import { STORES, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const USERS = 30;

interface Person {
  externalId: string;
  plan: 'pro' | 'free';
  lastSeenAt: number;
  /** Subscription ids, with whether each is tagged gold. */
  subscriptions: { id: string; gold: boolean }[];
}

async function seedUser(db: Kysely<Database>, appId: string, p: Person): Promise<void> {
  const { seq } = await db
    .insertInto('users')
    .values({ app_id: appId, external_id: p.externalId, attributes: JSON.stringify({ plan: p.plan }), created_at: T0 - 100 * DAY, updated_at: T0, last_seen_at: p.lastSeenAt, language: null, timezone: null, country: null, lat: null, lon: null })
    // A subscription with this user id may have made the user already (first sight).
    .onConflict((oc) => oc.columns(['app_id', 'external_id']).doUpdateSet((eb) => ({ attributes: eb.ref('excluded.attributes'), created_at: eb.ref('excluded.created_at'), updated_at: eb.ref('excluded.updated_at'), last_seen_at: eb.ref('excluded.last_seen_at') })))
    .returning('seq')
    .executeTakeFirstOrThrow();
  await db.insertInto('user_attributes').values({ user_seq: seq, app_id: appId, key: 'plan', type: 'string', str: p.plan, num: null }).execute();
}

for (const kind of STORES) {
  describe(`sending to segments and filters (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0;
    const people: Person[] = [];
    /** Subscriptions without a user: in no filter's audience. */
    const strangers: string[] = [];
    const call = (method: string, path: string, body?: unknown) => c.api(method, `/v1/apps/${app.id}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const register = async (userId: string | undefined, tags: Record<string, string>) => {
      const s = sink.subscribe();
      const body = { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, ...(userId !== undefined ? { userId } : {}), tags };
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, body) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return { id: res.body.id as string, sinkId: s.id };
    };
    const sinkToSub = new Map<string, string>();
    /** The subscriptions that received notification `id`, as Carillon subscription ids, with repeats. */
    const receivedBy = (id: string) => sink.received.filter((r) => (r.json as any)?.notification?.data?.id === id).map((r) => sinkToSub.get(r.subscriptionId)!);
    const expected = (match: (p: Person, s: { gold: boolean }) => boolean) => people.flatMap((p) => p.subscriptions.filter((s) => match(p, s)).map((s) => s.id)).sort();
    const send = async (body: Record<string, unknown>) => {
      const res = await call('POST', '/notifications', { title: 'Hello', ...body });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };

    before(async () => {
      c = await startCarillon(kind, { batchSize: 3 }, { now: () => clock });
      sink = await startPushSink({ now: () => Math.floor(clock / 1000) });
      app = await c.createApp();
      for (let i = 0; i < USERS; i++) {
        const p: Person = { externalId: `u${String(i).padStart(2, '0')}`, plan: i % 2 === 0 ? 'pro' : 'free', lastSeenAt: T0 - i * DAY, subscriptions: [] };
        // Every third user has a second device; every fourth user's first device is gold.
        for (let d = 0; d < (i % 3 === 0 ? 2 : 1); d++) {
          const gold = d === 0 && i % 4 === 0;
          const { id, sinkId } = await register(p.externalId, gold ? { tier: 'gold' } : {});
          sinkToSub.set(sinkId, id);
          p.subscriptions.push({ id, gold });
        }
        await seedUser(c.ctx.store.db, app.id, p);
        people.push(p);
        if (i % 10 === 0) {
          const { id, sinkId } = await register(undefined, { tier: 'gold' });
          sinkToSub.set(sinkId, id);
          strangers.push(id);
        }
      }
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a send to a filter delivers to exactly the subscriptions the estimate counted, across many batches', async () => {
      const filter = { and: [{ attribute: 'plan', op: 'eq', value: 'pro' }, { attribute: 'lastSeenAt', op: 'within', value: '14d' }] };
      const estimate = await call('POST', '/audience/estimate', { filter });
      assert.equal(estimate.status, 200, JSON.stringify(estimate.body));
      const want = expected((p) => p.plan === 'pro' && p.lastSeenAt >= T0 - 14 * DAY);
      assert.ok(want.length > 3 * 3, `spans several batches: ${want.length}`);
      assert.equal(estimate.body.subscriptions, want.length);
      assert.equal(estimate.body.users, people.filter((p) => p.plan === 'pro' && p.lastSeenAt >= T0 - 14 * DAY).length);
      assert.deepEqual(estimate.body.byChannel, { webpush: want.length, apns: 0, fcm: 0 });

      const id = await send({ to: { filter } });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.targeted, estimate.body.subscriptions);
      assert.equal(status.counts.delivered, estimate.body.subscriptions);
      assert.deepEqual(status.to, { filter });
      assert.deepEqual(receivedBy(id).sort(), want, 'each matching subscription exactly once, and no other');
      const batches = await c.ctx.store.db.selectFrom('delivery_batches').select('id').where('notification_id', '=', id).execute();
      assert.equal(batches.length, Math.ceil(want.length / 3));
    });

    test('a segment naming a segment: every subscription it matches exactly once, none other, and no stranger', async () => {
      const pro = await call('POST', '/segments', { name: 'pro', filter: { attribute: 'plan', op: 'eq', value: 'pro' } });
      const goldPro = await call('POST', '/segments', { name: 'gold pro', filter: { or: [{ segment: pro.body.id }, { tag: 'tier', op: 'eq', value: 'gold' }] } });
      assert.equal(goldPro.status, 201, JSON.stringify(goldPro.body));
      const want = expected((p, s) => p.plan === 'pro' || s.gold);
      const size = (await call('GET', `/segments/${goldPro.body.id}`)).body.size;
      assert.equal(size.subscriptions, want.length);

      const id = await send({ to: { segment: goldPro.body.id } });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.targeted, want.length);
      assert.deepEqual(status.to, { segment: goldPro.body.id });
      const got = receivedBy(id);
      assert.equal(got.length, new Set(got).size, 'no subscription twice');
      assert.deepEqual(got.sort(), want);
      for (const s of strangers) assert.ok(!got.includes(s), 'a subscription without a user is in no segment');
    });

    test('an unknown segment or a bad filter is refused with a pointer into the body, and nothing is queued', async () => {
      const count = async () => Number((await c.ctx.store.db.selectFrom('notifications').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      const before = await count();
      const unknown = await call('POST', '/notifications', { to: { segment: 'seg_nothing' }, title: 'x' });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.code, 'unknown_segment');
      assert.equal(unknown.body.pointer, '#/to/segment');
      const bad = await call('POST', '/notifications', { to: { filter: { and: [{ channel: 'webpush' }, { attribute: 'plan', op: 'gt', value: 'pro' }] } }, title: 'x' });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'invalid_filter');
      assert.equal(bad.body.pointer, '#/to/filter/and/1/value');
      const inner = await call('POST', '/notifications', { to: { filter: { not: { segment: 'seg_nothing' } } }, title: 'x' });
      assert.equal(inner.body.code, 'unknown_segment');
      assert.equal(inner.body.pointer, '#/to/filter/not');
      const malformed = await call('POST', '/notifications', { to: { segment: 'plan = pro' }, title: 'x' });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.code, 'invalid_request');
      assert.equal(await count(), before);
    });

    test('preferences apply to segment and filter targets: who turned the category off is left out and counted, once, across pages', async () => {
      const off = ['u00', 'u02', 'u04', 'u10'];
      for (const user of off) {
        const res = await c.api('PUT', `/v1/apps/${app.id}/users/${user}/preferences`, { key: app.secretKey, body: { promotions: false } });
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
      const pro = await call('POST', '/segments', { name: 'pro again', filter: { attribute: 'plan', op: 'eq', value: 'pro' } });
      const want = expected((p) => p.plan === 'pro' && !off.includes(p.externalId));
      const left = expected((p) => off.includes(p.externalId));
      for (const to of [{ segment: pro.body.id }, { filter: { attribute: 'plan', op: 'eq', value: 'pro' } }]) {
        const id = await send({ to, preferenceCategory: 'promotions' });
        const status = await c.waitCompleted(app.id, app.secretKey, id);
        assert.deepEqual(receivedBy(id).sort(), want);
        assert.deepEqual([status.counts.targeted, status.counts.suppressed, status.suppressed], [want.length, left.length, { preference_off: left.length }]);
        // Each left-out one has its send record, with its user, written with its page.
        const records = await c.ctx.store.db
          .selectFrom('send_records')
          .innerJoin('users', 'users.seq', 'send_records.user_seq')
          .select(['users.external_id', 'send_records.reason'])
          .where('send_records.notification_id', '=', id)
          .where('send_records.reason', '=', 'suppressed')
          .execute();
        assert.equal(records.length, left.length);
        assert.ok(records.every((r) => off.includes(r.external_id)), JSON.stringify(records));
        // Another category is not left out.
        const order = await send({ to, preferenceCategory: 'orders' });
        const shipped = await c.waitCompleted(app.id, app.secretKey, order);
        assert.deepEqual([shipped.counts.targeted, shipped.counts.suppressed], [want.length + left.length, 0]);
      }
      for (const user of off) await c.api('PUT', `/v1/apps/${app.id}/users/${user}/preferences`, { key: app.secretKey, body: { promotions: true } });
    });

    test('a scheduled send keeps the filter it was accepted with, and matches users as they are at its send time', async () => {
      const recent = await call('POST', '/segments', { name: 'recent', filter: { attribute: 'lastSeenAt', op: 'within', value: '7d' } });
      const sendAt = T0 + 2 * DAY;
      const id = await send({ to: { segment: recent.body.id }, sendAt: new Date(sendAt).toISOString() });
      // Changed after acceptance: the segment (the send keeps the filter it was accepted with)...
      assert.equal((await call('PATCH', `/segments/${recent.body.id}`, { filter: { channel: 'fcm' } })).status, 200);
      // ...and a user, seen again (who matches is decided at the send time).
      const comeback = people.find((p) => p.externalId === 'u20')!;
      await c.ctx.store.db.updateTable('users').set({ last_seen_at: T0 + DAY }).where('app_id', '=', app.id).where('external_id', '=', comeback.externalId).execute();

      clock = sendAt + 1000;
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      // Seen from 7 days before the send time on: u00 to u05 (u06 was within 7 days of acceptance, not of the send), and u20.
      const want = expected((p) => p.lastSeenAt >= sendAt - 7 * DAY || p === comeback);
      assert.deepEqual(receivedBy(id).sort(), want);
      assert.equal(status.counts.targeted, want.length);
      assert.ok(!receivedBy(id).includes(people[6]!.subscriptions[0]!.id));
      // The clock stays ahead: VAPID tokens signed at a later time would look issued in the future to the push service.
    });
  });
}
