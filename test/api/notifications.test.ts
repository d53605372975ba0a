import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES, startCarillon, type TestCarillon } from '../support/carillon.ts';

for (const kind of STORES) {
  describe(`notifications API (${kind})`, () => {
    let c: TestCarillon;
    let app: Awaited<ReturnType<TestCarillon['createApp']>>;
    const count = async () => Number((await c.ctx.store.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).where('app_id', '=', app.id).executeTakeFirstOrThrow()).n);
    const send = (body: unknown, headers?: Record<string, string>) => c.api('POST', `/v1/apps/${app.id}/notifications`, { key: app.secretKey, body, headers });

    before(async () => {
      c = await startCarillon(kind);
      app = await c.createApp();
    });
    after(() => c.stop());

    test('a notification is accepted with 202 and its status is readable', async () => {
      const res = await send({ to: { userIds: ['nobody'] }, title: 'Hello', body: 'World', url: 'https://shop.example/x', ttl: 60, urgency: 'high', topic: 'order-42' });
      assert.equal(res.status, 202);
      assert.match(res.body.id, /^ntf_/);
      assert.equal(res.headers.location, `/v1/apps/${app.id}/notifications/${res.body.id}`);
      const done = await c.waitCompleted(app.id, app.secretKey, res.body.id);
      assert.deepEqual(done.counts, { targeted: 0, sent: 0, delivered: 0, failed: 0, expired: 0, pruned: 0, suppressed: 0, pending: 0, displayed: 0, clicked: 0, dismissed: 0 });
      assert.deepEqual(done.content, { title: 'Hello', body: 'World', url: 'https://shop.example/x' });
      assert.deepEqual(done.to, { userIds: ['nobody'] });
      assert.equal(done.ttl, 60);
      assert.equal(done.topic, 'order-42');
    });

    test('a payload that would not fit in 4096 encrypted bytes is refused before anything is queued', async () => {
      const before = await count();
      const res = await send({ to: { all: true }, title: 'Big', body: 'x'.repeat(3990) });
      assert.equal(res.status, 413);
      assert.equal(res.body.code, 'payload_too_large');
      assert.equal(res.body.channel, 'webpush');
      assert.equal(res.body.maxBytes, 4096);
      assert.ok(res.body.bytes > 4096);
      assert.equal(await count(), before);
      const jobs = await c.ctx.store.db.selectFrom('jobs').selectAll().execute();
      assert.equal(jobs.filter((j) => j.name === 'fanout' && JSON.parse(j.data).notificationId === undefined).length, 0);
      // The largest body that fits is accepted: 3993 bytes of JSON encrypt to exactly 4096.
      const fixed = JSON.stringify({ web_push: 8030, notification: { title: 'Big', body: '', data: { id: 'ntf_0123456789012345678901' } } }).length;
      const fits = await send({ to: { all: true }, title: 'Big', body: 'x'.repeat(3993 - fixed) });
      assert.equal(fits.status, 202, JSON.stringify(fits.body));
    });

    test('an Idempotency-Key returns the same answer and sends nothing twice', async () => {
      const body = { to: { all: true }, title: 'Once' };
      const a = await send(body, { 'idempotency-key': 'order-1001' });
      const b = await send(body, { 'idempotency-key': 'order-1001' });
      assert.equal(a.status, 202);
      assert.equal(b.status, 202);
      assert.equal(b.body.id, a.body.id);
      assert.equal(b.headers['idempotent-replayed'], 'true');
      const rows = await c.ctx.store.db.selectFrom('notifications').select('id').where('idempotency_key', '=', 'order-1001').execute();
      assert.equal(rows.length, 1);
      const conflict = await send({ ...body, title: 'Other' }, { 'idempotency-key': 'order-1001' });
      assert.equal(conflict.status, 422);
      assert.equal(conflict.body.code, 'idempotency_key_reused');
      const bad = await send(body, { 'idempotency-key': 'has space' });
      assert.equal(bad.body.code, 'invalid_idempotency_key');
    });

    test('invalid audience, topic, urgency and sendAt are refused with clear errors', async () => {
      const before = await count();
      const cases: [unknown, string][] = [
        [{ title: 'no audience' }, 'invalid_request'],
        [{ to: { all: true, userIds: ['a'] }, title: 'two audiences' }, 'invalid_request'],
        [{ to: { all: true }, title: 't', topic: 'has+plus' }, 'invalid_topic'],
        [{ to: { all: true }, title: 't', topic: 'a'.repeat(33) }, 'invalid_request'],
        [{ to: { all: true }, title: 't', urgency: 'urgent' }, 'invalid_request'],
        [{ to: { all: true }, title: 't', ttl: -1 }, 'invalid_request'],
        [{ to: { all: true }, title: 't', sendAt: 'tomorrow' }, 'invalid_request'],
        [{ to: { all: true }, title: 't', sendAt: '2099-01-01T00:00:00Z' }, 'invalid_send_at'],
        [{ to: { all: true }, title: 't', extra: 1 }, 'invalid_request'],
      ];
      for (const [body, code] of cases) {
        const res = await send(body);
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.code, code, JSON.stringify(res.body));
      }
      assert.equal(await count(), before);
    });

    test('a notification of another app is not found', async () => {
      const other = await c.createApp('other');
      const res = await send({ to: { all: true }, title: 'mine' });
      const peek = await c.api('GET', `/v1/apps/${other.id}/notifications/${res.body.id}`, { key: other.secretKey });
      assert.equal(peek.status, 404);
      assert.equal(peek.body.code, 'notification_not_found');
    });
  });
}
