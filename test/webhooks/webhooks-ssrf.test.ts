import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { plant, resolverOf, startReceiver, startWebhookCarillon, type Receiver } from './harness.ts';

describe('the SSRF rule holds on the address connected to (allowance off)', () => {
  let c: TestCarillon;
  let rx: Receiver;
  let names: Record<string, string>;
  before(async () => {
    rx = await startReceiver({ tls: true });
    // A public-looking name whose DNS answer is loopback, as after DNS rebinding.
    names = { 'hooks.example.com': '127.0.0.1' };
    c = await startWebhookCarillon('sqlite', { allowPrivateEndpoints: false }, { lookup: resolverOf(names) });
  });
  after(async () => {
    await c.stop();
    await rx.close();
  });

  test('a name that resolves to 127.0.0.1 is accepted at creation, refused at connect, and nothing reaches the receiver', async () => {
    const app = await c.createApp();
    const port = new URL(rx.url).port;
    const created = await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: `https://hooks.example.com:${port}/hook` } });
    assert.equal(created.status, 201);
    await plant(c, app.id, [{ type: 'clicked' }]);
    const [m] = await eventually(async () => {
      const l = (await c.api('GET', `/v1/apps/${app.id}/webhooks/${created.body.id}/messages`, { key: app.secretKey })).body.data;
      assert.equal(l[0]?.attempts, 1);
      return l;
    });
    assert.equal(m.status, 'pending');
    assert.equal(m.lastStatus, null);
    assert.match(m.lastError, /^private_address: hooks\.example\.com resolves to 127\.0\.0\.1/);
    assert.equal(rx.received.length, 0);
    const metrics = await c.api('GET', '/metrics');
    assert.match(metrics.body, new RegExp(`carillon_webhook_attempts_total\\{endpoint="${created.body.id}",status="rejected"\\} 1`));
  });
});
