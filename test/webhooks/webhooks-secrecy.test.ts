import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { plant, startReceiver, startWebhookCarillon, verify, type Receiver } from './harness.ts';

describe('a webhook secret is never logged', () => {
  let c: TestCarillon;
  let rx: Receiver;
  const lines: string[] = [];
  before(async () => {
    rx = await startReceiver();
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    c = await startWebhookCarillon('sqlite', { logLevel: 'trace' }, { logger: pino({ level: 'trace' }, sink) });
  });
  after(async () => {
    await c.stop();
    await rx.close();
  });

  test('not at creation, rotation, delivery, failure or disabling, at trace level', async () => {
    const app = await c.createApp();
    const created = (await c.api('POST', `/v1/apps/${app.id}/webhooks`, { key: app.secretKey, body: { url: rx.url } })).body;
    const rotated = (await c.api('POST', `/v1/apps/${app.id}/webhooks/${created.id}/rotate-secret`, { key: app.secretKey, body: {} })).body;
    rx.answer({ status: 500 }, { status: 410 });
    await plant(c, app.id, [{ type: 'clicked' }, { type: 'sent' }, { type: 'delivered' }]);
    await eventually(async () => assert.equal((await c.api('GET', `/v1/apps/${app.id}/webhooks/${created.id}`, { key: app.secretKey })).body.disabledReason, 'gone'));
    assert.ok(rx.received.length >= 2);
    verify(rotated.secret, rx.received[0]!);
    assert.ok(lines.length > 0, 'the logger was written to');
    const text = lines.join('');
    assert.match(text, /answered 410: disabled/, 'the disabling is logged');
    for (const secret of [created.secret, rotated.secret]) {
      for (const form of [secret, secret.slice(6), Buffer.from(secret.slice(6), 'base64').toString('hex')]) assert.ok(!text.includes(form), 'a form of the secret is in the logs');
    }
    for (const r of rx.received) assert.ok(!text.includes(r.headers['webhook-signature']!.split(' ')[0]!.slice(3)), 'a signature is in the logs');
  });
});
