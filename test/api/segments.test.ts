/**
 * Segments as stored objects and audience sizes, through the API on SQLite and PostgreSQL:
 * saving, listing, reading with the live size, changing and deleting segments; the
 * estimate of a filter; refusals pointing into the request body.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

/** A user as the users API stores one: the row, and its attributes typed one per row. */
async function seedUser(db: Kysely<Database>, appId: string, externalId: string, u: { plan?: string; lastSeenAt?: number; events?: { name: string; at: number }[] } = {}) {
  const { seq } = await db
    .insertInto('users')
    .values({ app_id: appId, external_id: externalId, attributes: JSON.stringify(u.plan ? { plan: u.plan } : {}), created_at: T0 - 100 * DAY, updated_at: T0, last_seen_at: u.lastSeenAt ?? null, language: null, timezone: null, country: null, lat: null, lon: null })
    .returning('seq')
    .executeTakeFirstOrThrow();
  if (u.plan) await db.insertInto('user_attributes').values({ user_seq: seq, app_id: appId, key: 'plan', type: 'string', str: u.plan, num: null }).execute();
  for (const e of u.events ?? []) await db.insertInto('user_events').values({ app_id: appId, user_seq: seq, name: e.name, at: e.at, properties: '{}', event_id: null, received_at: e.at }).execute();
}

const webPushKeys = () => {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey('base64url'), auth: randomBytes(16).toString('base64url') };
};

for (const kind of STORES) {
  describe(`segments and audience estimates (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    let clock = T0;
    const base = () => `/v1/apps/${app.id}`;
    const call = (method: string, path: string, body?: unknown) => c.api(method, `${base()}${path}`, { key: app.secretKey, ...(body !== undefined ? { body } : {}) });
    const subscribe = async (userId: string, channel: 'webpush' | 'apns' | 'fcm', tags: Record<string, string> = {}) => {
      const body =
        channel === 'webpush'
          ? { channel, endpoint: `https://push.example.net/${randomBytes(8).toString('hex')}`, keys: webPushKeys() }
          : channel === 'apns'
            ? { channel, token: randomBytes(32).toString('hex'), topic: 'com.example.app' }
            : { channel, token: `fcm_${randomBytes(24).toString('hex')}` };
      const res = await c.api('POST', `${base()}/subscriptions`, { key: app.secretKey, body: { ...body, userId, tags } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    };

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => clock });
      app = await c.createApp();
      const db = c.ctx.store.db;
      // ana: pro, two devices, seen yesterday; ben: pro, seen 10 days ago; cleo: free, seen now; dev: no user record.
      await seedUser(db, app.id, 'ana', { plan: 'pro', lastSeenAt: T0 - DAY, events: [{ name: 'purchase', at: T0 - 2 * DAY }] });
      await seedUser(db, app.id, 'ben', { plan: 'pro', lastSeenAt: T0 - 10 * DAY });
      await seedUser(db, app.id, 'cleo', { plan: 'free', lastSeenAt: T0 });
      await subscribe('ana', 'webpush', { tier: 'gold' });
      await subscribe('ana', 'apns');
      await subscribe('ben', 'fcm', { tier: 'gold' });
      await subscribe('cleo', 'webpush');
      await subscribe('dev', 'webpush', { tier: 'gold' });
    });
    after(() => c.stop());

    const PRO = { attribute: 'plan', op: 'eq', value: 'pro' };

    test('a segment is saved, read back with its live size, listed, renamed and deleted', async () => {
      const created = await call('POST', '/segments', { name: 'Pro plan', filter: PRO });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as string;
      assert.match(id, /^seg_[A-Za-z0-9_-]+$/);
      assert.equal(created.headers.location, `${base()}/segments/${id}`);
      assert.deepEqual(created.body, { id, name: 'Pro plan', filter: PRO, createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0).toISOString() });

      const one = await call('GET', `/segments/${id}`);
      assert.equal(one.status, 200);
      assert.deepEqual(one.body.size, { users: 2, subscriptions: 3, byChannel: { webpush: 1, apns: 1, fcm: 1 } });

      // Live: a new subscription of a pro user is counted at once.
      await subscribe('ben', 'webpush');
      assert.deepEqual((await call('GET', `/segments/${id}`)).body.size, { users: 2, subscriptions: 4, byChannel: { webpush: 2, apns: 1, fcm: 1 } });

      clock = T0 + 60_000;
      const renamed = await call('PATCH', `/segments/${id}`, { name: 'Pro' });
      assert.equal(renamed.status, 200);
      assert.deepEqual(renamed.body, { ...created.body, name: 'Pro', updatedAt: new Date(T0 + 60_000).toISOString() });
      const refiltered = await call('PATCH', `/segments/${id}`, { filter: { and: [PRO, { channel: 'webpush' }] } });
      assert.equal(refiltered.status, 200);
      assert.deepEqual((await call('GET', `/segments/${id}`)).body.size, { users: 2, subscriptions: 2, byChannel: { webpush: 2, apns: 0, fcm: 0 } });
      clock = T0;

      assert.equal((await call('DELETE', `/segments/${id}`)).status, 204);
      const gone = await call('GET', `/segments/${id}`);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.code, 'segment_not_found');
      assert.equal((await call('PATCH', `/segments/${id}`, { name: 'x' })).body.code, 'segment_not_found');
      assert.equal((await call('DELETE', `/segments/${id}`)).body.code, 'segment_not_found');
    });

    test('segments are listed oldest first, a page at a time, and belong to their app alone', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock = T0 + i * 1000;
        ids.push((await call('POST', '/segments', { name: `list ${i}`, filter: { channel: 'fcm' } })).body.id);
      }
      clock = T0;
      const seen: string[] = [];
      let cursor: string | null = '';
      while (cursor !== null) {
        const page = await call('GET', `/segments?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(page.status, 200, JSON.stringify(page.body));
        assert.ok(page.body.data.length <= 2);
        seen.push(...page.body.data.map((s: { id: string }) => s.id));
        cursor = page.body.next;
      }
      assert.deepEqual(seen.filter((id) => ids.includes(id)), ids);
      assert.equal((await call('GET', '/segments?cursor=bm9wZQ')).body.code, 'invalid_cursor');

      const other = await c.createApp('other');
      const foreign = await c.api('GET', `/v1/apps/${other.id}/segments/${ids[0]}`, { key: other.secretKey });
      assert.equal(foreign.status, 404);
      const named = await c.api('POST', `/v1/apps/${other.id}/segments`, { key: other.secretKey, body: { name: 'x', filter: { segment: ids[0] } } });
      assert.equal(named.status, 422);
      assert.equal(named.body.code, 'unknown_segment');
      for (const id of ids) assert.equal((await call('DELETE', `/segments/${id}`)).status, 204);
    });

    test('a refused filter answers problem+json pointing into the body, and nothing is saved', async () => {
      const before = (await call('GET', '/segments')).body.data.length;
      const bad = await call('POST', '/segments', { name: 'bad', filter: { and: [{ channel: 'fcm' }, { attribute: 'plan', op: 'bigger', value: 1 }] } });
      assert.equal(bad.status, 400);
      assert.match(String(bad.headers['content-type']), /^application\/problem\+json/);
      assert.equal(bad.body.code, 'invalid_filter');
      assert.equal(bad.body.pointer, '#/filter/and/1/op');

      let deep: unknown = { channel: 'fcm' };
      for (let i = 0; i < 9; i++) deep = { not: deep };
      const tooDeep = await call('POST', '/audience/estimate', { filter: deep });
      assert.equal(tooDeep.status, 400);
      assert.equal(tooDeep.body.code, 'filter_too_complex');
      assert.equal(tooDeep.body.limit, 'depth');
      assert.match(tooDeep.body.pointer, /^#\/filter(\/not)+$/);

      const big = await call('POST', '/segments', { name: 'big', filter: { or: Array.from({ length: 101 }, () => ({ channel: 'fcm' })) } });
      assert.equal(big.body.code, 'filter_too_complex');
      assert.equal(big.body.limit, 'nodes');

      const unknown = await call('POST', '/segments', { name: 'u', filter: { or: [{ channel: 'fcm' }, { not: { segment: 'seg_nothing' } }] } });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.code, 'unknown_segment');
      assert.equal(unknown.body.pointer, '#/filter/or/1/not');

      const notObject = await call('POST', '/audience/estimate', { filter: 'plan = pro' });
      assert.equal(notObject.status, 400);
      assert.equal(notObject.body.code, 'invalid_filter');
      assert.equal(notObject.body.pointer, '#/filter');
      assert.equal((await call('GET', '/segments')).body.data.length, before);
    });

    test('a segment may name a segment; a PATCH closing a loop is refused; a segment still named is not deleted', async () => {
      const pro = (await call('POST', '/segments', { name: 'pro', filter: PRO })).body.id as string;
      const goldPro = await call('POST', '/segments', { name: 'gold pro', filter: { and: [{ segment: pro }, { tag: 'tier', op: 'eq', value: 'gold' }] } });
      assert.equal(goldPro.status, 201, JSON.stringify(goldPro.body));
      // ana's webpush and ben's fcm: gold and pro; dev's gold webpush has no user.
      assert.deepEqual((await call('GET', `/segments/${goldPro.body.id}`)).body.size, { users: 2, subscriptions: 2, byChannel: { webpush: 1, apns: 0, fcm: 1 } });
      assert.deepEqual((await call('POST', '/audience/estimate', { filter: { segment: goldPro.body.id } })).body, { users: 2, subscriptions: 2, byChannel: { webpush: 1, apns: 0, fcm: 1 } });

      const loop = await call('PATCH', `/segments/${pro}`, { filter: { or: [PRO, { segment: goldPro.body.id }] } });
      assert.equal(loop.status, 422);
      assert.equal(loop.body.code, 'segment_cycle');
      assert.equal(loop.body.pointer, '#/filter/or/1');
      assert.deepEqual(loop.body.segments, [goldPro.body.id, pro, goldPro.body.id]);
      const self = await call('PATCH', `/segments/${pro}`, { filter: { not: { segment: pro } } });
      assert.equal(self.body.code, 'segment_cycle');
      assert.equal(self.body.pointer, '#/filter/not');
      assert.deepEqual((await call('GET', `/segments/${pro}`)).body.filter, PRO, 'nothing changed');

      // Deeper than the limit once expanded inside the segment that names it.
      let deep: unknown = PRO;
      for (let i = 0; i < 7; i++) deep = { not: deep };
      const tooDeepForReferrer = await call('PATCH', `/segments/${pro}`, { filter: deep });
      assert.equal(tooDeepForReferrer.status, 400);
      assert.equal(tooDeepForReferrer.body.code, 'filter_too_complex');
      assert.equal(tooDeepForReferrer.body.segment, goldPro.body.id);

      const inUse = await call('DELETE', `/segments/${pro}`);
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.code, 'segment_in_use');
      assert.deepEqual(inUse.body.referrers, [goldPro.body.id]);
      assert.equal((await call('DELETE', `/segments/${goldPro.body.id}`)).status, 204);
      assert.equal((await call('DELETE', `/segments/${pro}`)).status, 204);
    });

    test('within and older_than count back from the injected clock', async () => {
      const recent = { attribute: 'lastSeenAt', op: 'within', value: '7d' };
      const stale = { attribute: 'lastSeenAt', op: 'older_than', value: '7d' };
      const bought = { event: 'purchase', within: '3d' };
      const estimate = async (filter: unknown) => (await call('POST', '/audience/estimate', { filter })).body.users;
      clock = T0;
      assert.equal(await estimate(recent), 2, 'ana and cleo');
      assert.equal(await estimate(stale), 1, 'ben');
      assert.equal(await estimate(bought), 1, 'ana');
      clock = T0 + 7 * DAY;
      assert.equal(await estimate(recent), 1, 'cleo, seen exactly 7 days before (the window includes its edge)');
      assert.equal(await estimate(stale), 2, 'ben, and ana seen 8 days before');
      assert.equal(await estimate(bought), 0, 'ana bought 9 days before');
      clock = T0;
    });
  });
}
