import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateVapidKeys } from '../../src/protocol/webpush/vapid.ts';
import { FirefoxProfile, type FirefoxConnection } from './firefox-client.ts';
import { push, startPushService, type PushOptions, type TestPushService } from './harness.ts';
import { hashUaid } from '../../src/push-service/identifiers.ts';

describe('push service: RFC 8030 push requests', () => {
  let ps: TestPushService;
  let browser: FirefoxConnection;
  const seconds = () => Math.floor(ps.clock.now / 1000);

  before(async () => {
    ps = await startPushService('sqlite');
    browser = await new FirefoxProfile().connect(ps.wsUrl);
  });
  after(async () => {
    await browser.close();
    await ps.stop();
  });

  test('201 with Location and the TTL kept; the browser decrypts the payload', async () => {
    const sub = await browser.subscribe();
    assert.match(sub.endpoint, new RegExp(`^${ps.url}/push/[A-Za-z0-9_-]{43}$`));
    const res = await push(sub.endpoint, sub, { payload: 'hello from RFC 8030', ttl: 120, urgency: 'high' });
    assert.equal(res.status, 201, res.text);
    assert.match(res.headers.get('location') ?? '', new RegExp(`^${ps.url}/push/m/[A-Za-z0-9_-]{22}$`));
    assert.equal(res.headers.get('ttl'), '120');
    const n = await browser.nextNotification();
    assert.equal(n.plaintext, 'hello from RFC 8030');
    assert.equal(n.version, res.headers.get('location')!.split('/').pop());
    assert.deepEqual(n.headers, { encoding: 'aes128gcm' });
  });

  test('a TTL longer than 60 days is kept 60 days, and the response says so', async () => {
    const sub = await browser.subscribe();
    const res = await push(sub.endpoint, sub, { payload: 'long', ttl: 10 ** 9 });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('ttl'), String(60 * 24 * 3600));
    await browser.nextNotification();
  });

  test('a push without payload arrives with neither data nor headers', async () => {
    const sub = await browser.subscribe();
    const res = await push(sub.endpoint, sub, {});
    assert.equal(res.status, 201, res.text);
    const n = await browser.nextNotification();
    assert.equal(n.data, undefined);
    assert.equal(n.headers, undefined);
    assert.equal(n.plaintext, '');
  });

  test('400 without TTL, with a bad TTL, Urgency, Topic or content coding; nothing is stored', async () => {
    const sub = await browser.subscribe();
    const cases: PushOptions[] = [
      { ttl: null, payload: 'x' },
      { headers: { ttl: '-5' }, payload: 'x' },
      { urgency: 'urgent', payload: 'x' },
      { topic: 'not a topic!', payload: 'x' },
      { topic: 'a'.repeat(33), payload: 'x' },
      { payload: 'x', headers: { 'content-encoding': 'aesgcm' } },
      { body: Buffer.from('not encrypted at all') },
    ];
    for (const options of cases) {
      const res = await push(sub.endpoint, sub, options);
      assert.equal(res.status, 400, `${JSON.stringify(options)} → ${res.status} ${res.text}`);
      const problem = JSON.parse(res.text);
      assert.equal(problem.status, 400);
      assert.equal(typeof problem.detail, 'string');
    }
    assert.equal(await ps.service.messages.count(hashUaid(browser.profile.uaid!)), 0);
    assert.equal(await browser.notificationWithin(100), false);
  });

  test('413 above 4096 bytes of body; 4096 exactly is accepted', async () => {
    const sub = await browser.subscribe();
    const tooLarge = await push(sub.endpoint, sub, { body: Buffer.alloc(4097, 1), headers: { 'content-encoding': 'aes128gcm' } });
    assert.equal(tooLarge.status, 413);
    // RFC 8291 §4: 3993 octets of plaintext make a 4096-byte body.
    const largest = await push(sub.endpoint, sub, { payload: 'p'.repeat(3993) });
    assert.equal(largest.status, 201, largest.text);
    assert.equal((await browser.nextNotification()).plaintext.length, 3993);
  });

  test('404 for an unknown endpoint, 410 after unsubscribe', async () => {
    assert.equal((await push(`${ps.url}/push/${'A'.repeat(43)}`, null)).status, 404);
    assert.equal((await push(`${ps.url}/push/short`, null)).status, 404);
    const sub = await browser.subscribe();
    const reply = await browser.unsubscribe(sub.channelID);
    assert.deepEqual(reply, { messageType: 'unregister', channelID: sub.channelID, status: 200 });
    const gone = await push(sub.endpoint, sub, { payload: 'anyone?' });
    assert.equal(gone.status, 410);
    assert.equal(JSON.parse(gone.text).title, 'Gone');
  });

  test('a restricted subscription refuses a push without VAPID (401) or signed by another key (403), and stores nothing', async () => {
    const appKeys = generateVapidKeys();
    const sub = await browser.subscribe(appKeys.publicKey);
    const before = await ps.service.messages.count(hashUaid(browser.profile.uaid!));

    const missing = await push(sub.endpoint, sub, { payload: 'no vapid' });
    assert.equal(missing.status, 401, missing.text);
    const otherKey = await push(sub.endpoint, sub, { payload: 'wrong key', vapid: { keys: generateVapidKeys(), now: seconds() } });
    assert.equal(otherKey.status, 403, otherKey.text);
    assert.match(JSON.parse(otherKey.text).detail, /key_mismatch/);
    const expired = await push(sub.endpoint, sub, { payload: 'expired', vapid: { keys: appKeys, now: seconds() - 7200 } });
    assert.equal(expired.status, 403, expired.text);
    const notVapid = await push(sub.endpoint, sub, { payload: 'bearer', headers: { authorization: 'Bearer abc' } });
    assert.equal(notVapid.status, 401, notVapid.text);

    assert.equal(await ps.service.messages.count(hashUaid(browser.profile.uaid!)), before);
    assert.equal(await browser.notificationWithin(100), false);

    const signed = await push(sub.endpoint, sub, { payload: 'signed by the app', vapid: { keys: appKeys, now: seconds() } });
    assert.equal(signed.status, 201, signed.text);
    assert.equal((await browser.nextNotification()).plaintext, 'signed by the app');
  });

  test('an unrestricted subscription takes a push without VAPID but refuses a bad vapid header (403)', async () => {
    const sub = await browser.subscribe();
    const forged = await push(sub.endpoint, sub, { payload: 'x', headers: { authorization: 'vapid t=a.b.c, k=BAAA' } });
    assert.equal(forged.status, 403);
    const anyKey = await push(sub.endpoint, sub, { payload: 'voluntary', vapid: { keys: generateVapidKeys(), now: seconds() } });
    assert.equal(anyKey.status, 201);
    assert.equal((await browser.nextNotification()).plaintext, 'voluntary');
  });

  test('DELETE on the message resource cancels a pending message', async () => {
    const offline = new FirefoxProfile();
    const conn = await offline.connect(ps.wsUrl);
    const sub = await conn.subscribe();
    await conn.close();
    const res = await push(sub.endpoint, sub, { payload: 'cancel me' });
    const location = res.headers.get('location')!;
    assert.equal((await fetch(location, { method: 'DELETE' })).status, 204);
    assert.equal((await fetch(location, { method: 'DELETE' })).status, 404);
    const again = await offline.connect(ps.wsUrl);
    assert.equal(await again.notificationWithin(200), false);
    await again.close();
  });
});

describe('push service: what one browser can be made to hold', () => {
  test('beyond the pending cap a push is refused with 429 and Retry-After, and nothing more is stored', async () => {
    const ps = await startPushService('sqlite', { maxPendingPerUaid: 3 });
    try {
      const offline = new FirefoxProfile();
      const conn = await offline.connect(ps.wsUrl);
      const sub = await conn.subscribe();
      await conn.close();
      for (let i = 0; i < 3; i++) assert.equal((await push(sub.endpoint, sub, { payload: `m${i}` })).status, 201);
      const refused = await push(sub.endpoint, sub, { payload: 'one too many' });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '3600');
      const back = await offline.connect(ps.wsUrl);
      const got = [await back.nextNotification(), await back.nextNotification(), await back.nextNotification()].map((n) => n.plaintext);
      assert.deepEqual(got, ['m0', 'm1', 'm2']);
      assert.equal(await back.notificationWithin(200), false);
      await back.close();
    } finally {
      await ps.stop();
    }
  });
});
