/**
 * The routes a browser calls with the public publishable key are rated per client
 * address and app, across all API processes; the secret key is not.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { startCarillon, type TestCarillon } from '../support/carillon.ts';

type App = Awaited<ReturnType<TestCarillon['createApp']>>;

/** GET /v1/apps/{id} as a browser at `address` would make it (the SDK reads the VAPID key there). */
async function read(c: TestCarillon, app: App, key: string, address = '127.0.0.1', headers: Record<string, string> = {}) {
  const res = await c.app.inject({ method: 'GET', url: `/v1/apps/${app.id}`, remoteAddress: address, headers: { authorization: `Bearer ${key}`, ...headers } });
  return { status: res.statusCode, headers: res.headers, body: res.json() };
}

// 0.1 a second: no token comes back while a test runs, however slow the machine.
describe('client rate on browser routes', () => {
  const started: TestCarillon[] = [];
  const start = async (...args: Parameters<typeof startCarillon>) => {
    const c = await startCarillon(...args);
    started.push(c);
    return c;
  };
  after(async () => {
    for (const c of started) await c.stop();
  });

  test('a burst, then 429 rate_limited with Retry-After; nothing is stored; per address and app; the secret key is not limited', async () => {
    const c = await start('sqlite', { clientRate: 0.1, clientBurst: 3 });
    const app = await c.createApp('limited');
    for (let i = 0; i < 3; i++) assert.equal((await read(c, app, app.publishableKey)).status, 200);
    const refused = await read(c, app, app.publishableKey);
    assert.equal(refused.status, 429);
    assert.match(String(refused.headers['content-type']), /application\/problem\+json/);
    assert.equal(refused.body.code, 'rate_limited');
    // One token every 10 s.
    assert.ok(refused.body.retryAfter > 0 && refused.body.retryAfter <= 10, `retryAfter ${refused.body.retryAfter}`);
    assert.equal(refused.headers['retry-after'], String(refused.body.retryAfter));

    const ecdh = createECDH('prime256v1');
    const subscribe = await c.app.inject({
      method: 'POST',
      url: `/v1/apps/${app.id}/subscriptions`,
      remoteAddress: '127.0.0.1',
      headers: { authorization: `Bearer ${app.publishableKey}` },
      payload: { channel: 'webpush', endpoint: 'https://push.example.net/send/limited', keys: { p256dh: ecdh.generateKeys().toString('base64url'), auth: randomBytes(16).toString('base64url') } },
    });
    assert.equal(subscribe.statusCode, 429);
    assert.equal((await c.ctx.store.db.selectFrom('subscriptions').select('id').execute()).length, 0, 'nothing stored');

    assert.equal((await read(c, app, app.secretKey)).status, 200, "the site's server is not limited");
    assert.equal((await read(c, app, app.publishableKey, '203.0.113.9')).status, 200, 'another address has its own bucket');
    const other = await c.createApp('other');
    assert.equal((await read(c, other, other.publishableKey)).status, 200, 'another app has its own bucket');
    const spoofed = await read(c, app, app.publishableKey, '127.0.0.1', { 'x-forwarded-for': '198.51.100.1' });
    assert.equal(spoofed.status, 429, 'without a trusted proxy, X-Forwarded-For is not the client');
  });

  test('behind a trusted proxy, each forwarded client has its own bucket', async () => {
    const c = await start('sqlite', { clientRate: 0.1, clientBurst: 1, trustProxy: '127.0.0.1' });
    const app = await c.createApp('proxied');
    const via = (client: string) => read(c, app, app.publishableKey, '127.0.0.1', { 'x-forwarded-for': client });
    assert.equal((await via('198.51.100.1')).status, 200);
    assert.equal((await via('198.51.100.1')).status, 429);
    assert.equal((await via('198.51.100.2')).status, 200);
  });

  test('two API processes on one Redis count against one bucket', async () => {
    const queuePrefix = `t_${randomBytes(6).toString('hex')}`;
    const overrides = { clientRate: 0.1, clientBurst: 3, masterKey: randomBytes(32).toString('base64') };
    const a = await start('postgres+redis', overrides, { queuePrefix });
    const b = await start('postgres+redis', { ...overrides, databaseUrl: a.ctx.config.databaseUrl }, { queuePrefix });
    const app = await a.createApp('two processes');
    assert.equal((await read(a, app, app.publishableKey)).status, 200);
    assert.equal((await read(b, app, app.publishableKey)).status, 200);
    assert.equal((await read(a, app, app.publishableKey)).status, 200);
    assert.equal((await read(b, app, app.publishableKey)).status, 429, 'the fourth request, on the other process, is over the burst');
  });
});
