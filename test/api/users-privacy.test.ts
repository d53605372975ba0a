/**
 * Privacy: erasing a user (GDPR Art. 17) removes them from every table in one transaction;
 * the export (Art. 15 and 20) holds everything kept about them, without the browser's keys.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';

function sub(extra: Record<string, unknown> = {}) {
  const ecdh = createECDH('prime256v1');
  return { channel: 'webpush', endpoint: `https://push.example.net/send/${randomBytes(8).toString('hex')}`, keys: { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') }, ...extra };
}

for (const kind of STORES) {
  describe(`user privacy (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const now = Date.parse('2026-04-01T10:00:00Z');
    const subs: Record<string, { id: string; body: ReturnType<typeof sub> }[]> = {};
    let notificationId: string;

    /** A user with two subscriptions, attributes, events, preferences, a failed send and a click. */
    async function seed(userId: string): Promise<void> {
      await c.api('PUT', `/v1/apps/${app.id}/users/${userId}`, { key: app.secretKey, body: { attributes: { plan: 'gold', visits: 2 }, language: 'fr', country: 'FR' } });
      subs[userId] = [];
      for (let i = 0; i < 2; i++) {
        const body = sub({ userId, tags: { team: 'blue' } });
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body });
        assert.equal(res.status, 201);
        subs[userId].push({ id: res.body.id, body });
      }
      const db = c.ctx.store.db;
      const user = await db.selectFrom('users').select('seq').where('app_id', '=', app.id).where('external_id', '=', userId).executeTakeFirstOrThrow();
      const seq = Number(user.seq);
      await db.insertInto('user_events').values([
        { app_id: app.id, user_seq: seq, name: 'viewed_item', at: now - 1000, properties: '{"sku":"A1"}', event_id: `${userId}-e1`, received_at: now },
        { app_id: app.id, user_seq: seq, name: 'purchased', at: now - 500, properties: '{}', event_id: null, received_at: now },
      ]).execute();
      await db.insertInto('user_preferences').values({ user_seq: seq, app_id: app.id, category: 'promotions', enabled: 0, updated_at: now }).execute();
      await db.insertInto('delivery_failures').values({ notification_id: notificationId, subscription_id: subs[userId][0]!.id, outcome: 'rejected', status_code: 400, reason: 'bad request', at: now }).execute();
      await db.insertInto('events').values({ app_id: app.id, type: 'clicked', notification_id: notificationId, subscription_id: subs[userId][1]!.id, action: null, dedupe_key: `clicked:${notificationId}:${subs[userId][1]!.id}`, at: now, received_at: now }).execute();
    }

    const count = async (table: 'users' | 'user_attributes' | 'user_events' | 'user_preferences' | 'subscriptions' | 'subscription_tags' | 'delivery_failures' | 'events') =>
      Number((await c.ctx.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const counts = async () => ({
      users: await count('users'),
      attributes: await count('user_attributes'),
      events: await count('user_events'),
      preferences: await count('user_preferences'),
      subscriptions: await count('subscriptions'),
      tags: await count('subscription_tags'),
      failures: await count('delivery_failures'),
      engagement: await count('events'),
    });

    before(async () => {
      c = await startCarillon(kind, {}, { now: () => now });
      app = await c.createApp('privacy');
      const n = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['nobody'] }, title: 'hi' } });
      notificationId = n.body.id;
      await seed('ann');
      await seed('ben');
    });
    after(() => c.stop());

    test('the export holds the user, attributes, subscriptions without keys, events, preferences, delivery failures and engagement', async () => {
      const res = await c.api('GET', `/v1/apps/${app.id}/users/ann/export`, { key: app.secretKey });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const x = res.body;
      assert.equal(x.user.externalId, 'ann');
      assert.deepEqual(x.user.attributes, { plan: 'gold', visits: 2 });
      assert.equal(x.user.subscriptions, 2);
      assert.deepEqual(x.subscriptions.map((s: any) => s.id), subs.ann!.map((s) => s.id));
      assert.deepEqual(x.subscriptions.map((s: any) => s.endpoint), subs.ann!.map((s) => s.body.endpoint));
      assert.deepEqual(x.subscriptions[0].tags, { team: 'blue' });
      const text = JSON.stringify(x);
      for (const s of subs.ann!) {
        assert.ok(!text.includes(s.body.keys.auth), 'no auth secret');
        assert.ok(!text.includes(s.body.keys.p256dh), 'no p256dh key');
      }
      assert.ok(x.withheld.length > 0, 'says what it left out');
      assert.deepEqual(x.events.map((e: any) => [e.name, e.properties, e.id]), [['viewed_item', { sku: 'A1' }, 'ann-e1'], ['purchased', {}, null]]);
      assert.deepEqual(x.preferences, [{ category: 'promotions', enabled: false, updatedAt: '2026-04-01T10:00:00.000Z' }]);
      assert.deepEqual(x.deliveryFailures.map((f: any) => [f.subscriptionId, f.statusCode]), [[subs.ann![0]!.id, 400]]);
      assert.deepEqual(x.engagement.map((e: any) => [e.type, e.subscriptionId]), [['clicked', subs.ann![1]!.id]]);
      assert.ok(!text.includes('ben'), "nothing of another user's");
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/users/nobody/export`, { key: app.secretKey })).body.code, 'user_not_found');
    });

    test('erasure removes the user from every table in one go, and nothing of anyone else', async () => {
      const db = c.ctx.store.db;
      const both = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { userIds: ['ann', 'ben'] }, title: 'for "ann"' } });
      assert.equal(both.status, 202);
      const annSeq = Number((await db.selectFrom('users').select('seq').where('external_id', '=', 'ann').executeTakeFirstOrThrow()).seq);
      const annSub = Number((await db.selectFrom('subscriptions').select('seq').where('id', '=', subs.ann![0]!.id).executeTakeFirstOrThrow()).seq);
      const record = { app_id: app.id, notification_id: both.body.id, campaign_id: null, variant: 'B', category: 'promotions', detail: 'rule 1', counts_for_caps: 1, test: 0, timing: null, at: now };
      await db.insertInto('send_records').values([
        { ...record, user_seq: annSeq, subscription_seq: annSub, reason: 'sent' },
        { ...record, user_seq: annSeq, subscription_seq: null, reason: 'capped' },
      ]).execute();
      const before = await counts();
      const res = await c.api('DELETE', `/v1/apps/${app.id}/users/ann`, { key: app.secretKey });
      assert.equal(res.status, 204);
      assert.deepEqual(await counts(), {
        users: before.users - 1,
        attributes: before.attributes - 2,
        events: before.events - 2,
        preferences: before.preferences - 1,
        subscriptions: before.subscriptions - 2,
        tags: before.tags - 2,
        failures: before.failures - 1,
        engagement: before.engagement,
      });
      const annIds = subs.ann!.map((s) => s.id);
      const records = await db.selectFrom('send_records').select(['user_seq', 'subscription_seq', 'detail', 'reason', 'variant']).where('notification_id', '=', both.body.id).orderBy('seq').execute();
      assert.deepEqual(records, [
        { user_seq: null, subscription_seq: null, detail: null, reason: 'sent', variant: 'B' },
        { user_seq: null, subscription_seq: null, detail: null, reason: 'capped', variant: 'B' },
      ], 'the send records are kept, without the user');
      const shown = await c.api('GET', `/v1/apps/${app.id}/notifications/${both.body.id}`, { key: app.secretKey });
      assert.deepEqual(shown.body.to, { userIds: ['ben'] }, 'the stored target no longer names ann');
      assert.deepEqual(await db.selectFrom('events').select('id').where('subscription_id', 'in', annIds).execute(), [], 'clicks no longer name the subscription');
      const clicks = await db.selectFrom('events').select(['subscription_id', 'dedupe_key']).where('notification_id', '=', notificationId).execute();
      assert.equal(clicks.length, 2, 'the click is still counted');
      assert.ok(clicks.some((e) => /^erased_/.test(e.subscription_id!) && e.dedupe_key === null));
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/users/ann`, { key: app.secretKey })).body.code, 'user_not_found');
      assert.equal((await c.api('GET', `/v1/apps/${app.id}/users/ben`, { key: app.secretKey })).body.subscriptions, 2, 'ben is untouched');
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/users/ann`, { key: app.secretKey })).body.code, 'user_not_found', 'twice: gone');
    });

    test('erasure reaches the webhook delivery log, civic-alert choices and intelligent plans, and leaves those of others', async () => {
      const db = c.ctx.store.db;
      await seed('cy');
      const cySubs = subs.cy!.map((s) => s.id);
      const hook = await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: 'https://hooks.example.com/privacy' } });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const body = (userId: string, subscriptionId: string) =>
        JSON.stringify({ type: 'notification.clicked', timestamp: '2026-04-01T10:00:00.000Z', data: { notificationId, subscriptionId, userId, action: null } });
      const message = { endpoint_id: hook.body.id, app_id: app.id, type: 'notification.clicked', events: 1, first_seq: null, last_seq: null, event_at: now, created_at: now, status: 'delivered' as const, attempts: 1, round: 0, replays: 0, next_attempt_at: null, last_attempt_at: now, last_status: 200, last_duration_ms: 3, last_error: null, delivered_at: now };
      await db.insertInto('webhook_messages').values([
        { ...message, id: 'msg_cy', body: body('cy', cySubs[0]!) },
        { ...message, id: 'msg_cy_batch', type: 'batch', body: JSON.stringify({ type: 'batch', data: [JSON.parse(body('cy', cySubs[1]!)), JSON.parse(body('ben', subs.ben![0]!.id))] }) },
        { ...message, id: 'msg_ben', body: body('ben', subs.ben![1]!.id) },
      ]).execute();
      await db.insertInto('user_alert_zones').values([{ app_id: app.id, external_id: 'cy', zone: 'SAME:006109' }, { app_id: app.id, external_id: 'ben', zone: 'SAME:006109' }]).execute();
      await db.insertInto('alert_testers').values([{ app_id: app.id, external_id: 'cy', opted_in_at: now }, { app_id: app.id, external_id: 'ben', opted_in_at: now }]).execute();
      const seqOf = async (id: string) => Number((await db.selectFrom('users').select('seq').where('app_id', '=', app.id).where('external_id', '=', id).executeTakeFirstOrThrow()).seq);
      const campaign = await c.api('POST', `/v1/apps/${app.id}/campaigns`, { key: app.secretKey, body: { name: 'plan', audience: { filter: { attribute: 'plan', op: 'eq', value: 'gold' } }, content: { en: { title: 'hi' } } } });
      assert.equal(campaign.status, 201, JSON.stringify(campaign.body));
      await db.insertInto('campaign_user_plans').values([
        { campaign_id: campaign.body.id, run: 1, user_seq: await seqOf('cy'), send_at: now, timing: '{}' },
        { campaign_id: campaign.body.id, run: 1, user_seq: await seqOf('ben'), send_at: now, timing: '{}' },
      ]).execute();

      const journey = await c.api('POST', `/v1/apps/${app.id}/journeys`, { key: app.secretKey, body: { name: 'cart', trigger: { event: 'cart_updated' }, steps: [{ wait: { duration: '1h' } }] } });
      assert.equal(journey.status, 201, JSON.stringify(journey.body));
      assert.equal((await c.api('POST', `/v1/apps/${app.id}/journeys/${journey.body.id}/activate`, { key: app.secretKey })).status, 200);
      const tracked = await c.api('POST', `/v1/apps/${app.id}/track`, { key: app.secretKey, body: { events: [{ userId: 'cy', name: 'cart_updated' }, { userId: 'ben', name: 'cart_updated' }] } });
      assert.ok(tracked.status < 300, JSON.stringify(tracked.body));
      const runsOf = async () => (await db.selectFrom('journey_runs').select('external_id').where('app_id', '=', app.id).orderBy('external_id').execute()).map((r) => r.external_id);
      await eventually(async () => assert.deepEqual(await runsOf(), ['ben', 'cy'], 'both users are in the journey'));

      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/users/cy`, { key: app.secretKey })).status, 204);
      assert.deepEqual(await runsOf(), ['ben'], "cy's run is erased, ben's kept");
      const bodies = Object.fromEntries((await db.selectFrom('webhook_messages').select(['id', 'body']).execute()).map((m) => [m.id, JSON.parse(m.body)]));
      assert.deepEqual(bodies.msg_cy.data, { notificationId, subscriptionId: null, userId: null, action: null }, 'the message no longer names cy or the subscription');
      assert.deepEqual(bodies.msg_cy_batch.data.map((e: any) => [e.data.userId, e.data.subscriptionId]), [[null, null], ['ben', subs.ben![0]!.id]], 'in a batch, only cy is taken out');
      assert.equal(bodies.msg_ben.data.userId, 'ben');
      const kept = JSON.stringify(Object.values(bodies));
      for (const id of ['cy', ...cySubs]) assert.ok(!kept.includes(JSON.stringify(id)), `${id} is named nowhere in the delivery log`);
      assert.deepEqual((await db.selectFrom('user_alert_zones').select('external_id').where('app_id', '=', app.id).execute()).map((r) => r.external_id), ['ben']);
      assert.deepEqual((await db.selectFrom('alert_testers').select('external_id').where('app_id', '=', app.id).execute()).map((r) => r.external_id), ['ben']);
      assert.deepEqual((await db.selectFrom('campaign_user_plans').select('user_seq').execute()).map((r) => Number(r.user_seq)), [await seqOf('ben')]);
    });

    test('a user id that only subscriptions carry is erased too', async () => {
      await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: sub({ userId: 'cy' }) });
      await c.ctx.store.db.deleteFrom('users').where('external_id', '=', 'cy').execute();
      assert.equal((await c.api('DELETE', `/v1/apps/${app.id}/users/cy`, { key: app.secretKey })).status, 204);
      assert.equal(Number((await c.ctx.store.db.selectFrom('subscriptions').select((eb) => eb.fn.countAll().as('n')).where('user_id', '=', 'cy').executeTakeFirstOrThrow()).n), 0);
    });
  });
}
