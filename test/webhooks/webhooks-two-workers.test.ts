import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { plant, startReceiver, startWebhookCarillon, type Receiver } from './harness.ts';

describe('two worker processes on one PostgreSQL make each message once', () => {
  let a: TestCarillon;
  let b: TestCarillon;
  let rx: Receiver;
  before(async () => {
    rx = await startReceiver();
    const databaseUrl = await createTestDatabase();
    // One installation: one database, one master key.
    const masterKey = randomBytes(32).toString('base64');
    a = await startWebhookCarillon('postgres', { databaseUrl, masterKey });
    b = await startWebhookCarillon('postgres', { databaseUrl, masterKey, adminKey: a.adminKey });
  });
  after(async () => {
    await a.stop();
    await b.stop();
    await rx.close();
  });

  test('both dispatchers read the same endpoint; every event becomes one message, delivered once', async () => {
    const app = await a.createApp();
    const ep = (await a.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url } })).body;
    const N = 300;
    for (let i = 0; i < N; i += 50) await plant(i % 100 === 0 ? a : b, app.id, Array.from({ length: 50 }, (_, k) => ({ type: 'delivered' as const, subscriptionId: `sub_${i + k}` })));
    await eventually(() => assert.equal(new Set(rx.received.map((r) => JSON.parse(r.body).data.subscriptionId)).size, N));
    const rows = await a.ctx.store.db.selectFrom('webhook_messages').select(['status', 'attempts']).where('endpoint_id', '=', ep.id).execute();
    assert.equal(rows.length, N, 'one message per event');
    await eventually(async () => {
      const statuses = await a.ctx.store.db.selectFrom('webhook_messages').select('status').where('endpoint_id', '=', ep.id).where('status', '!=', 'delivered').execute();
      assert.equal(statuses.length, 0);
    });
    assert.equal(rx.received.length, N, 'no request twice without a crash');
  });
});
