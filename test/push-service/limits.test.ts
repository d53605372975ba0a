/**
 * What strangers can make the push service store, without any key: subscriptions per
 * connection, per client address and per uaid, new uaids per address, messages and
 * bytes per subscription and in all, and the TTL kept. Over a limit a push is refused
 * with 429 (Retry-After) or 413 and a catalogue code, a register with its status, and
 * nothing is stored. Time-based limits run on the service's clock.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/load.ts';
import { pushServiceLimits } from '../../src/push-service/index.ts';
import { FirefoxConnection, FirefoxProfile } from './firefox-client.ts';
import { push, startPushService, type TestPushService } from './harness.ts';

const HOUR = 3_600_000;

async function withService(limits: Parameters<typeof startPushService>[1], run: (ps: TestPushService) => Promise<void>, extras: Parameters<typeof startPushService>[2] = {}) {
  const ps = await startPushService('sqlite', limits, extras);
  try {
    await run(ps);
  } finally {
    await ps.stop();
  }
}

async function activeChannels(ps: TestPushService): Promise<number> {
  const row = await ps.store.db.selectFrom('push_channels').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A browser with one subscription that is offline, so what is pushed to it is stored. */
async function offlineSubscriber(ps: TestPushService) {
  const profile = new FirefoxProfile();
  const conn = await profile.connect(ps.wsUrl);
  const subscription = await conn.subscribe();
  const second = await conn.subscribe();
  await conn.close();
  return { profile, subscription, second };
}

function problemOf(res: { headers: Headers; text: string }): Record<string, unknown> {
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  return JSON.parse(res.text);
}

describe('push service limits: subscriptions', () => {
  test('one WebSocket gets pushChannelsPerConnection subscriptions; the next register is answered 429 and stores nothing', async () => {
    await withService({ channelsPerConnection: 3 }, async (ps) => {
      const conn = await new FirefoxProfile().connect(ps.wsUrl);
      for (let i = 0; i < 3; i++) assert.equal((await conn.register()).status, 200);
      const refused = await conn.register();
      assert.equal(refused.status, 429);
      assert.equal(refused.pushEndpoint, undefined);
      assert.equal(await activeChannels(ps), 3);
      await conn.close();
    });
  });

  test('one client address gets pushChannelsPerAddress subscriptions an hour across connections, then more as the hour passes', async () => {
    await withService({ channelsPerAddress: 4 }, async (ps) => {
      const conns: FirefoxConnection[] = [];
      for (let i = 0; i < 4; i++) conns.push(await new FirefoxProfile().connect(ps.wsUrl));
      for (const conn of conns) assert.equal((await conn.register()).status, 200);
      assert.equal((await conns[0]!.register()).status, 429);
      assert.equal((await conns[3]!.register()).status, 429);
      assert.equal(await activeChannels(ps), 4);
      // A quarter of the hour gives one more.
      ps.clock.now += HOUR / 4;
      assert.equal((await conns[1]!.register()).status, 200);
      assert.equal((await conns[2]!.register()).status, 429);
      for (const conn of conns) await conn.close();
    });
  });

  test('one client address brings pushUaidsPerAddress new browsers an hour; known browsers still subscribe', async () => {
    await withService({ uaidsPerAddress: 2 }, async (ps) => {
      const first = new FirefoxProfile();
      const firstConn = await first.connect(ps.wsUrl);
      await firstConn.subscribe();
      await firstConn.close();
      const second = await new FirefoxProfile().connect(ps.wsUrl);
      await second.subscribe();
      const third = await new FirefoxProfile().connect(ps.wsUrl);
      assert.equal((await third.register()).status, 429);
      const uaids = await ps.store.db.selectFrom('push_uaids').selectAll().execute();
      assert.equal(uaids.length, 2);
      // The first browser comes back with its uaid: not new, so not counted.
      const back = await first.connect(ps.wsUrl);
      assert.equal(back.helloReply.uaid, first.uaid);
      assert.equal((await back.register()).status, 200);
      ps.clock.now += HOUR / 2;
      assert.equal((await third.register()).status, 200);
      for (const conn of [second, third, back]) await conn.close();
    });
  });

  test('behind a trusted proxy each X-Forwarded-For client has buckets of its own', async () => {
    await withService(
      { uaidsPerAddress: 1 },
      async (ps) => {
        const connectFrom = async (address: string) => {
          const ws = new WebSocket(ps.wsUrl, 'push-notification', { headers: { 'x-forwarded-for': address } });
          const conn = new FirefoxConnection(new FirefoxProfile(), ws);
          await conn.opened;
          conn.send({ messageType: 'hello', use_webpush: true, broadcasts: {} });
          await conn.waitFrame((f) => f.messageType === 'hello');
          return conn;
        };
        const a = await connectFrom('203.0.113.7');
        const b = await connectFrom('198.51.100.9');
        const a2 = await connectFrom('203.0.113.7');
        assert.equal((await a.register()).status, 200);
        assert.equal((await b.register()).status, 200);
        assert.equal((await a2.register()).status, 429);
        for (const conn of [a, b, a2]) await conn.close();
      },
      { trustProxy: true },
    );
  });
});

describe('push service limits: what is stored', () => {
  test('past pushMessagesPerChannel a push is refused 429 push_recipient_full with Retry-After; other subscriptions still take pushes', async () => {
    await withService({ messagesPerChannel: 2 }, async (ps) => {
      const { profile, subscription, second } = await offlineSubscriber(ps);
      for (let i = 0; i < 2; i++) assert.equal((await push(subscription.endpoint, subscription, { payload: `m${i}` })).status, 201);
      const refused = await push(subscription.endpoint, subscription, { payload: 'one too many' });
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('retry-after'), '3600');
      const body = problemOf(refused);
      assert.equal(body.code, 'push_recipient_full');
      assert.equal(body.limit, 'channel_messages');
      assert.equal((await push(second.endpoint, second, { payload: 'elsewhere' })).status, 201);
      const back = await profile.connect(ps.wsUrl);
      const got = [await back.nextNotification(), await back.nextNotification(), await back.nextNotification()].map((n) => n.plaintext).sort();
      assert.deepEqual(got, ['elsewhere', 'm0', 'm1']);
      assert.equal(await back.notificationWithin(200), false);
      await back.close();
    });
  });

  test('past pushBytesPerChannel of stored payload a push is refused 429 push_recipient_full (channel_bytes); a smaller one still fits', async () => {
    await withService({ bytesPerChannel: 3_000 }, async (ps) => {
      const { subscription } = await offlineSubscriber(ps);
      // 1500 bytes of plaintext make a 1603-byte body, 2138 characters stored.
      assert.equal((await push(subscription.endpoint, subscription, { payload: 'a'.repeat(1500) })).status, 201);
      const refused = await push(subscription.endpoint, subscription, { payload: 'b'.repeat(1500) });
      assert.equal(refused.status, 429);
      assert.equal(problemOf(refused).limit, 'channel_bytes');
      assert.equal((await push(subscription.endpoint, subscription, { payload: 'small' })).status, 201);
      assert.equal(await ps.service.messages.count(await uaidOf(ps)), 2);
    });
  });

  test('past pushStoredMessages in all a push is refused 429 push_service_full until browsers collect theirs', async () => {
    await withService({ storedMessages: 3 }, async (ps) => {
      const a = await offlineSubscriber(ps);
      const b = await offlineSubscriber(ps);
      assert.equal((await push(a.subscription.endpoint, a.subscription, { payload: 'a1' })).status, 201);
      assert.equal((await push(a.second.endpoint, a.second, { payload: 'a2' })).status, 201);
      assert.equal((await push(b.subscription.endpoint, b.subscription, { payload: 'b1' })).status, 201);
      const refused = await push(b.second.endpoint, b.second, { payload: 'b2' });
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      const body = problemOf(refused);
      assert.equal(body.code, 'push_service_full');
      assert.equal(body.limit, 'service_messages');
      assert.equal(body.type, '/docs/errors#push_service_full');

      const back = await a.profile.connect(ps.wsUrl);
      await back.nextNotification();
      await back.nextNotification();
      await back.close();
      // The totals are counted again after usageRefresh on the service's clock.
      ps.clock.now += 60_000;
      assert.equal((await push(b.second.endpoint, b.second, { payload: 'b2' })).status, 201);
    });
  });

  test('past pushStoredBytes in all a push is refused 429 push_service_full (service_bytes)', async () => {
    await withService({ storedBytes: 5_000 }, async (ps) => {
      const a = await offlineSubscriber(ps);
      assert.equal((await push(a.subscription.endpoint, a.subscription, { payload: 'a'.repeat(1500) })).status, 201);
      assert.equal((await push(a.second.endpoint, a.second, { payload: 'a'.repeat(1500) })).status, 201);
      const refused = await push(a.second.endpoint, a.second, { payload: 'a'.repeat(1500) });
      assert.equal(refused.status, 429);
      assert.equal(problemOf(refused).limit, 'service_bytes');
    });
  });

  test('a body over 4096 bytes is refused 413 body_too_large', async () => {
    await withService({}, async (ps) => {
      const { subscription } = await offlineSubscriber(ps);
      const res = await push(subscription.endpoint, subscription, { body: Buffer.alloc(4097, 1), headers: { 'content-encoding': 'aes128gcm' } });
      assert.equal(res.status, 413);
      assert.equal(problemOf(res).code, 'body_too_large');
    });
  });
});

describe('push service limits: from the config keys', () => {
  test('CARILLON_PUSH_MAX_TTL lowers the TTL kept, and the TTL header says so (RFC 8030 §5.2)', async () => {
    const config = loadConfig({ env: { CARILLON_PUSH_MAX_TTL: '86400' } });
    await withService(
      {},
      async (ps) => {
        const { subscription } = await offlineSubscriber(ps);
        const res = await push(subscription.endpoint, subscription, { payload: 'long', ttl: 60 * 24 * 3600 });
        assert.equal(res.status, 201);
        assert.equal(res.headers.get('ttl'), '86400');
        const [row] = await ps.store.db.selectFrom('push_messages').select(['created_at', 'expires_at']).execute();
        assert.equal(row!.expires_at - row!.created_at, 86_400_000);
      },
      { config },
    );
  });

  test('CARILLON_PUSH_CHANNELS_PER_CONNECTION reaches the WebSocket', async () => {
    const config = loadConfig({ env: { CARILLON_PUSH_CHANNELS_PER_CONNECTION: '1' } });
    await withService(
      {},
      async (ps) => {
        const conn = await new FirefoxProfile().connect(ps.wsUrl);
        assert.equal((await conn.register()).status, 200);
        assert.equal((await conn.register()).status, 429);
        await conn.close();
      },
      { config },
    );
  });

  test('a limit of 0 is refused at start with the key named', async () => {
    const config = loadConfig({ env: { CARILLON_PUSH_STORED_BYTES: '0' } });
    assert.throws(() => pushServiceLimits(config), /pushStoredBytes must be a positive integer, got 0/);
  });
});

async function uaidOf(ps: TestPushService): Promise<string> {
  const [row] = await ps.store.db.selectFrom('push_uaids').select('uaid_hash').execute();
  return row!.uaid_hash;
}
