/**
 * Send records (migration 012) and personal messages, end to end: real runtimes on SQLite,
 * PostgreSQL and PostgreSQL + Redis deliver to the loopback push service. Every recipient
 * of a notification gets one row saying what became of it: sent (delivered or failed, with
 * why), left out by a preference at fan-out, skipped by the personaliser, or too large for
 * its channel; a retried recipient gets one row, not one per attempt.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYMENTS, startCarillon, withUserProof, type TestCarillon } from '../support/carillon.ts';
import { startPushSink, type PushSink, type SinkSubscription } from '../support/push-sink.ts';
import type { Personalised, Personaliser } from '../../src/delivery/personaliser.ts';
import type { OutgoingMessage } from '../../src/providers/channel.ts';

/** Answers per external id: a title of their own, a skip, a body too large for Web Push; one message object per distinct title. */
const campaignPersonaliser: Personaliser & { thrown: Set<string> } = {
  thrown: new Set(),
  async personalise(notification, recipients, base) {
    // Fails the first attempt of each notification titled so: a store or template error.
    if (notification.content.title === 'Flaky personaliser' && !this.thrown.has(notification.id)) {
      this.thrown.add(notification.id);
      throw new Error('the content store is down');
    }
    if (notification.content.title !== 'Hello {name}') return recipients.map(() => ({ message: base }));
    const byTitle = new Map<string, OutgoingMessage>();
    const messageFor = (title: string, body?: string) => {
      const key = `${title}|${body ?? ''}`;
      if (!byTitle.has(key)) byTitle.set(key, { ...base, content: { ...base.content, title, ...(body !== undefined ? { body } : {}) } });
      return byTitle.get(key)!;
    };
    const tags = { campaignId: 'cmp_spring', variant: 'b', timing: { source: 'fallback', hour: 10 } };
    return recipients.map((r): Personalised => {
      if (r.externalId === 'capped-carol') return { skip: { reason: 'capped', detail: '3 in 24h (promotions)' }, tags };
      if (r.externalId === 'verbose-victor') return { message: messageFor('Hello Victor', 'x'.repeat(5000)), tags };
      return { message: messageFor(r.externalId ? `Hello ${r.externalId}` : 'Hello there'), tags };
    });
  },
};

for (const kind of DEPLOYMENTS) {
  describe(`send records and personal messages (${kind})`, () => {
    let c: TestCarillon;
    let sink: PushSink;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;

    const register = async (s: SinkSubscription, extra: Record<string, unknown> = {}) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.publishableKey, body: withUserProof(app, { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, ...extra }) });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const send = async (body: Record<string, unknown>) => {
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body });
      assert.equal(res.status, 202, JSON.stringify(res.body));
      return res.body.id as string;
    };
    /** The subscription's seq, what its send records hold (and keep after a gone subscription is pruned). */
    const seqOf = async (id: string) => Number((await c.ctx.store.db.selectFrom('subscriptions').select('seq').where('id', '=', id).executeTakeFirstOrThrow()).seq);
    /** The notification's send records, in order, with the user's external id. */
    const records = async (notificationId: string) => {
      const rows = await c.ctx.store.db
        .selectFrom('send_records')
        .leftJoin('users', 'users.seq', 'send_records.user_seq')
        .select(['send_records.subscription_seq', 'users.external_id as user', 'send_records.reason', 'send_records.detail', 'send_records.counts_for_caps', 'send_records.test', 'send_records.category', 'send_records.campaign_id', 'send_records.variant', 'send_records.timing', 'send_records.app_id'])
        .where('send_records.notification_id', '=', notificationId)
        .orderBy('send_records.seq')
        .execute();
      return rows.map(({ subscription_seq, ...r }) => ({ ...r, subscription: subscription_seq === null ? null : Number(subscription_seq), counts_for_caps: Number(r.counts_for_caps), test: Number(r.test) }));
    };

    before(async () => {
      // Pages and batches of 2, so a handful of recipients spans several batches and pages.
      c = await startCarillon(kind, { batchSize: 2, maxAttempts: 3 }, { personaliser: campaignPersonaliser });
      sink = await startPushSink();
      app = await c.createApp();
    });
    after(async () => {
      await c.stop();
      await sink.close();
    });

    test('a plain promotion: one row per recipient, sent (counting for caps) or failed with why, and the preference left-outs as suppressed', async () => {
      const subs = Array.from({ length: 5 }, () => sink.subscribe());
      const ids = [
        await seqOf(await register(subs[0]!, { userId: 'ann', tags: { g: 'plain' } })),
        await seqOf(await register(subs[1]!, { userId: 'ben', tags: { g: 'plain' } })),
        await seqOf(await register(subs[2]!, { tags: { g: 'plain' } })),
        await seqOf(await register(subs[3]!, { userId: 'gus', tags: { g: 'plain' } })),
        await seqOf(await register(subs[4]!, { userId: 'opted-out-olga', tags: { g: 'plain' } })),
      ];
      sink.gone(subs[3]!.id);
      const pref = await c.api('PUT', `/v1/apps/${app.id}/users/opted-out-olga/preferences`, { key: app.secretKey, body: { promotions: false } });
      assert.equal(pref.status, 200, JSON.stringify(pref.body));

      const id = await send({ to: { tags: { g: 'plain' } }, title: '20% off', preferenceCategory: 'promotions' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.deepEqual([status.counts.targeted, status.counts.delivered, status.counts.pruned, status.counts.suppressed, status.counts.pending], [4, 3, 1, 1, 0]);

      const rows = await records(id);
      assert.equal(rows.length, 5, 'one row per matched recipient');
      const of = (i: number) => rows.find((r) => r.subscription === ids[i]);
      for (const [i, user] of [[0, 'ann'], [1, 'ben'], [2, null]] as const) {
        assert.deepEqual([of(i)?.reason, of(i)?.user, of(i)?.counts_for_caps, of(i)?.detail, of(i)?.category], ['sent', user, 1, null, 'promotions']);
      }
      // Pruned since: the row keeps the seq of a subscription that is no more.
      assert.deepEqual([of(3)?.reason, of(3)?.user, of(3)?.counts_for_caps], ['sent', 'gus', 0], 'sent, and gone: not a send that counts');
      assert.match(of(3)!.detail!, /^gone 410/);
      const olga = rows.find((r) => r.user === 'opted-out-olga');
      assert.deepEqual([olga?.reason, olga?.counts_for_caps, olga?.detail, olga?.subscription], ['suppressed', 0, 'turned promotions off', ids[4]]);
      assert.ok(rows.every((r) => r.app_id === app.id && r.campaign_id === null && r.variant === null && r.test === 0 && r.timing === null));
    });

    test('security and civic sends are recorded but never count against caps', async () => {
      const s = sink.subscribe();
      await register(s, { userId: 'sam', tags: { g: 'uncapped' } });
      for (const category of ['security', 'civic', 'orders']) {
        const id = await send({ to: { tags: { g: 'uncapped' } }, title: `a ${category} message`, preferenceCategory: category });
        await c.waitCompleted(app.id, app.secretKey, id);
        const [row] = await records(id);
        assert.deepEqual([row?.reason, row?.counts_for_caps, row?.category], ['sent', category === 'orders' ? 1 : 0, category]);
      }
    });

    test('personal messages: each recipient its own title; a skip and a message too large fail alone, counted, listed and recorded', async () => {
      const people = ['pia', 'quinn', 'capped-carol', 'verbose-victor', null] as const;
      const subs = people.map(() => sink.subscribe());
      const ids: string[] = [];
      for (const [i, user] of people.entries()) ids.push(await register(subs[i]!, { tags: { g: 'personal' }, ...(user ? { userId: user } : {}) }));
      const seqs = await Promise.all(ids.map(seqOf));

      const id = await send({ to: { tags: { g: 'personal' } }, title: 'Hello {name}' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      const titles = subs.map((s) => sink.receivedFor(s.id).filter((r) => (r.json as any).notification.data.id === id).map((r) => (r.json as any).notification.title));
      assert.deepEqual(titles, [['Hello pia'], ['Hello quinn'], [], [], ['Hello there']]);
      // The skip moves from targeted to suppressed, by its reason; the message too large is a failure.
      assert.deepEqual(
        [status.counts.targeted, status.counts.delivered, status.counts.failed, status.counts.suppressed, status.counts.pending, status.suppressed],
        [4, 3, 1, 1, 0, { capped: 1 }],
      );
      assert.equal(status.counts.sent, 3, 'neither the skip nor the message too large was sent');
      const failures = (await c.api('GET', `/v1/apps/${app.id}/notifications/${id}/failures`, { key: app.secretKey })).body.data;
      assert.equal(failures.length, 1);
      assert.equal(failures[0].subscriptionId, ids[3]);
      assert.equal(failures[0].outcome, 'too_large');
      assert.match(failures[0].reason, /^payload of \d{4} bytes is over the webpush limit of 4096 bytes$/);

      const rows = await records(id);
      const of = (i: number) => rows.find((r) => r.subscription === seqs[i])!;
      assert.equal(rows.length, 5);
      assert.deepEqual([of(0).reason, of(1).reason, of(4).reason], ['sent', 'sent', 'sent']);
      assert.deepEqual([of(2).reason, of(2).detail, of(2).user, of(2).counts_for_caps], ['capped', '3 in 24h (promotions)', 'capped-carol', 0]);
      assert.deepEqual([of(3).reason, of(3).detail, of(3).counts_for_caps], ['too_large', failures[0].reason, 0]);
      for (const r of rows) {
        assert.deepEqual([r.campaign_id, r.variant, JSON.parse(r.timing!)], ['cmp_spring', 'b', { source: 'fallback', hour: 10 }], 'the tags travel to every row');
      }
    });

    test('a recipient retried until delivered has one row, written by the attempt that ended it', async () => {
      const s = sink.subscribe();
      const sub = await seqOf(await register(s, { userId: 'rita', tags: { g: 'retry' } }));
      sink.respondWith(s.id, [{ status: 500 }, { status: 503 }]);
      const id = await send({ to: { tags: { g: 'retry' } }, title: 'Third time lucky' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.delivered, 1);
      assert.deepEqual(sink.responses.filter((r) => r.subscriptionId === s.id).map((r) => r.status), [500, 503, 201], 'two answers asked to retry, the third took it');
      const rows = await records(id);
      assert.deepEqual(rows.map((r) => [r.subscription, r.reason, r.counts_for_caps, r.detail]), [[sub, 'sent', 1, null]]);
    });

    test('a recipient that runs out of attempts has one row: sent, failed, with the reason', async () => {
      const s = sink.subscribe();
      const sub = await seqOf(await register(s, { userId: 'fay', tags: { g: 'gives-up' } }));
      sink.respondWith(s.id, [{ status: 500 }, { status: 500 }, { status: 500 }]);
      const id = await send({ to: { tags: { g: 'gives-up' } }, title: 'Never arrives' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.equal(status.counts.failed, 1);
      const rows = await records(id);
      assert.equal(rows.length, 1);
      assert.deepEqual([rows[0]!.subscription, rows[0]!.reason, rows[0]!.counts_for_caps], [sub, 'sent', 0]);
      assert.match(rows[0]!.detail!, /^retry 500: gave up after 3 attempts/);
    });

    test('a personaliser that throws fails the attempt; the job runs again and every recipient is sent and recorded once', async () => {
      const subs = [sink.subscribe(), sink.subscribe()];
      for (const [i, s] of subs.entries()) await register(s, { userId: `flo${i}`, tags: { g: 'flaky' } });
      const id = await send({ to: { tags: { g: 'flaky' } }, title: 'Flaky personaliser' });
      const status = await c.waitCompleted(app.id, app.secretKey, id);
      assert.ok(campaignPersonaliser.thrown.has(id), 'the first attempt threw');
      assert.deepEqual([status.counts.delivered, status.counts.failed, status.counts.pending], [2, 0, 0]);
      assert.deepEqual(subs.map((s) => sink.receivedFor(s.id).filter((r) => (r.json as any).notification.data.id === id).length), [1, 1]);
      assert.deepEqual((await records(id)).map((r) => r.reason), ['sent', 'sent']);
    });
  });
}

describe('a subscription deleted between the fan-out and its batch (sqlite)', () => {
  test('is recorded as unsubscribed and counted failed, and the others are sent', async () => {
    let gone: string | undefined;
    let c: TestCarillon | undefined;
    // One job at a time, so the first batch (and its personaliser) runs before the second is read.
    const deleting: Personaliser = {
      async personalise(_n, recipients, base) {
        if (gone !== undefined && c) {
          await c.ctx.store.db.deleteFrom('subscriptions').where('id', '=', gone).execute();
          gone = undefined;
        }
        return recipients.map(() => ({ message: base }));
      },
    };
    c = await startCarillon('sqlite', { batchSize: 2, workerConcurrency: 1 }, { personaliser: deleting });
    const sink = await startPushSink();
    try {
      const app = await c.createApp();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const s = sink.subscribe();
        const res = await c.api('POST', `/v1/apps/${app.id}/subscriptions`, { key: app.secretKey, body: { channel: 'webpush', endpoint: s.endpoint, keys: s.keys, tags: { g: 'leaving' } } });
        ids.push(res.body.id);
      }
      const last = Number((await c.ctx.store.db.selectFrom('subscriptions').select('seq').where('id', '=', ids[2]!).executeTakeFirstOrThrow()).seq);
      gone = ids[2];
      const res = await c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body: { to: { tags: { g: 'leaving' } }, title: 'Bye' } });
      const status = await c.waitCompleted(app.id, app.secretKey, res.body.id);
      assert.deepEqual([status.counts.targeted, status.counts.delivered, status.counts.failed, status.counts.pending], [3, 2, 1, 0]);
      const rows = await c.ctx.store.db.selectFrom('send_records').select(['subscription_seq', 'reason']).where('notification_id', '=', res.body.id).orderBy('seq').execute();
      assert.deepEqual(rows.map((r) => r.reason).sort(), ['sent', 'sent', 'unsubscribed']);
      assert.equal(Number(rows.find((r) => r.reason === 'unsubscribed')!.subscription_seq), last);
    } finally {
      await c.stop();
      await sink.close();
    }
  });
});
