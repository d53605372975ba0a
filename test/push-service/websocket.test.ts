import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { generateVapidKeys } from '../../src/protocol/webpush/vapid.ts';
import { FirefoxProfile } from './firefox-client.ts';
import { push, startPushService, type TestPushService } from './harness.ts';

describe('push service: the WebSocket protocol Firefox speaks', () => {
  let ps: TestPushService;

  before(async () => {
    ps = await startPushService('sqlite', { helloTimeout: 300, frameBurst: 50, framesPerSecond: 10 });
  });
  after(async () => {
    await ps.stop();
  });

  test('hello is answered with a uaid and use_webpush; the subprotocol is push-notification', async () => {
    const conn = await new FirefoxProfile().connect(ps.wsUrl);
    assert.equal(conn.ws.protocol, 'push-notification');
    assert.deepEqual(Object.keys(conn.helloReply).sort(), ['broadcasts', 'messageType', 'status', 'uaid', 'use_webpush']);
    assert.equal(conn.helloReply.status, 200);
    assert.equal(conn.helloReply.use_webpush, true);
    assert.deepEqual(conn.helloReply.broadcasts, {});
    assert.match(conn.helloReply.uaid, /^[0-9a-f]{32}$/);
    await conn.close();
  });

  test('register with a padded key answers status 200, the channelID and a pushEndpoint', async () => {
    const conn = await new FirefoxProfile().connect(ps.wsUrl);
    const channelID = randomUUID();
    const reply = await conn.register(generateVapidKeys().publicKey, channelID);
    assert.deepEqual(Object.keys(reply).sort(), ['channelID', 'messageType', 'pushEndpoint', 'status']);
    assert.equal(reply.channelID, channelID);
    assert.equal(reply.status, 200);
    assert.ok(reply.pushEndpoint.startsWith(`${ps.url}/push/`));
    // Two subscriptions never share an endpoint.
    const second = await conn.register();
    assert.notEqual(second.pushEndpoint, reply.pushEndpoint);
    await conn.close();
  });

  test('an upper-case channelID is answered in the one spelling its notifications will use', async () => {
    const conn = await new FirefoxProfile().connect(ps.wsUrl);
    const channelID = randomUUID().toUpperCase();
    const reply = await conn.register(undefined, channelID);
    assert.equal(reply.channelID, channelID.toLowerCase());
    await conn.close();
  });

  test('register refuses a channelID that is not a UUID and a key that is not a P-256 point (400)', async () => {
    const conn = await new FirefoxProfile().connect(ps.wsUrl);
    conn.send({ messageType: 'register', channelID: 'not-a-uuid' });
    assert.equal((await conn.waitFrame((f) => f.channelID === 'not-a-uuid')).status, 400);
    const badKey = await conn.register('AAAA');
    assert.equal(badKey.status, 400);
    assert.equal(badKey.pushEndpoint, undefined);
    await conn.close();
  });

  test('a {} ping is answered with {}', async () => {
    const conn = await new FirefoxProfile().connect(ps.wsUrl);
    conn.send({});
    assert.deepEqual(await conn.waitFrame((f) => Object.keys(f).length === 0), {});
    await conn.close();
  });

  test('a known uaid is kept on reconnect; an unknown one is replaced and Firefox drops its records', async () => {
    const profile = new FirefoxProfile();
    const first = await profile.connect(ps.wsUrl);
    await first.subscribe();
    const uaid = profile.uaid;
    await first.close();
    const second = await profile.connect(ps.wsUrl);
    assert.equal(second.helloReply.uaid, uaid);
    await second.close();

    const stranger = new FirefoxProfile();
    stranger.uaid = 'f'.repeat(32);
    stranger.subscriptions.set('x', {} as never);
    const conn = await stranger.connect(ps.wsUrl);
    assert.notEqual(conn.helloReply.uaid, 'f'.repeat(32));
    assert.equal(stranger.subscriptions.size, 0);
    await conn.close();
  });

  test('a hello without uaid from a browser with no subscriptions gets a fresh uaid each time', async () => {
    const profile = new FirefoxProfile();
    const a = await profile.connect(ps.wsUrl);
    await a.close();
    const b = await profile.connect(ps.wsUrl);
    assert.notEqual(b.helloReply.uaid, a.helloReply.uaid);
    await b.close();
  });

  test('protocol violations close the socket: frames before hello, a second hello, non-JSON, binary', async () => {
    const open = async () => {
      const ws = new WebSocket(ps.wsUrl, 'push-notification');
      await new Promise((resolve) => ws.once('open', resolve));
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      return { ws, closed };
    };
    const early = await open();
    early.ws.send(JSON.stringify({ messageType: 'register', channelID: randomUUID() }));
    assert.equal(await early.closed, 1002);

    const twice = await new FirefoxProfile().connect(ps.wsUrl);
    twice.send({ messageType: 'hello', use_webpush: true });
    assert.equal((await twice.closed).code, 1002);

    const garbage = await open();
    garbage.ws.send('this is not JSON');
    assert.equal(await garbage.closed, 1002);

    const binary = await open();
    binary.ws.send(Buffer.from([1, 2, 3]));
    assert.equal(await binary.closed, 1003);
  });

  test('a socket that never says hello is closed', async () => {
    const ws = new WebSocket(ps.wsUrl, 'push-notification');
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    assert.equal(code, 1008);
  });

  test('frames beyond the size bound close the socket (1009)', async () => {
    const conn = await new FirefoxProfile().connect(ps.wsUrl);
    conn.send({ messageType: 'nack', version: 'x'.repeat(20_000) });
    assert.equal((await conn.closed).code, 1009);
  });

  test('other paths are not upgraded', async () => {
    const ws = new WebSocket(`${ps.url.replace('http', 'ws')}/push/other`);
    const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
    assert.match(error.message, /404/);
  });

  test('a second connection with the same uaid replaces the first, which is told to back off (4774)', async () => {
    const profile = new FirefoxProfile();
    const first = await profile.connect(ps.wsUrl);
    const sub = await first.subscribe();
    const second = await profile.connect(ps.wsUrl);
    assert.equal((await first.closed).code, 4774);
    const res = await push(sub.endpoint, sub, { payload: 'to the newer socket' });
    assert.equal(res.status, 201);
    assert.equal((await second.nextNotification()).plaintext, 'to the newer socket');
    assert.equal(first.notifications.length, 0);
    await second.close();
  });

  test('a peer that stops answering WebSocket pings is dropped; one that answers stays', async () => {
    const fast = await startPushService('sqlite', { heartbeatInterval: 100 });
    const live = await new FirefoxProfile().connect(fast.wsUrl);
    const dead = new WebSocket(fast.wsUrl, 'push-notification', { autoPong: false });
    await new Promise((resolve) => dead.once('open', resolve));
    dead.send(JSON.stringify({ messageType: 'hello', use_webpush: true }));
    const code = await new Promise<number>((resolve) => dead.once('close', (c) => resolve(c)));
    assert.equal(code, 1006, 'terminated without a close frame');
    assert.equal(live.ws.readyState, WebSocket.OPEN);
    await live.close();
    await fast.stop();
  });

  test('a flood of frames beyond the burst and rate closes the socket (1008)', async () => {
    const conn = await new FirefoxProfile().connect(ps.wsUrl);
    for (let i = 0; i < 100; i++) conn.send({});
    assert.equal((await conn.closed).code, 1008);
  });
});
