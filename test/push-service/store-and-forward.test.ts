import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORES } from '../support/carillon.ts';
import { FirefoxProfile } from './firefox-client.ts';
import { push, startPushService, type TestPushService } from './harness.ts';
import { hashUaid } from '../../src/push-service/identifiers.ts';

for (const kind of STORES) {
  describe(`push service: store and forward (${kind})`, () => {
    let ps: TestPushService;

    before(async () => {
      ps = await startPushService(kind, { maxInFlight: 5 });
    });
    after(async () => {
      await ps.stop();
    });

    /** A browser with one subscription that then goes offline. */
    const offlineBrowser = async () => {
      const profile = new FirefoxProfile();
      const conn = await profile.connect(ps.wsUrl);
      const sub = await conn.subscribe();
      await conn.close();
      return { profile, sub };
    };

    test('a message for an offline browser is delivered when it reconnects, also across a server restart', async () => {
      const { profile, sub } = await offlineBrowser();
      const res = await push(sub.endpoint, sub, { payload: 'while you were away', ttl: 3600 });
      assert.equal(res.status, 201, res.text);
      assert.equal(await ps.service.messages.count(hashUaid(profile.uaid!)), 1);

      await ps.restart();
      const conn = await profile.connect(ps.wsUrl);
      assert.equal(conn.helloReply.uaid, profile.uaid, 'the uaid survives the restart');
      const n = await conn.nextNotification();
      assert.equal(n.plaintext, 'while you were away');
      assert.equal(n.channelID, sub.channelID);
      await conn.waitFrame(() => false, 100).catch(() => undefined); // let the ack land
      await conn.close();
      assert.equal(await ps.service.messages.count(hashUaid(profile.uaid!)), 0, 'the ack removed it');
    });

    test('a message whose TTL ran out is not delivered, and the sweep removes it', async () => {
      const { profile, sub } = await offlineBrowser();
      assert.equal((await push(sub.endpoint, sub, { payload: 'stale soon', ttl: 60 })).status, 201);
      assert.equal((await push(sub.endpoint, sub, { payload: 'still fresh', ttl: 600 })).status, 201);
      ps.clock.now += 61_000;
      const conn = await profile.connect(ps.wsUrl);
      assert.equal((await conn.nextNotification()).plaintext, 'still fresh');
      assert.equal(await conn.notificationWithin(200), false);
      await conn.close();
      ps.clock.now += 600_000;
      await ps.service.sweep();
      assert.equal(await ps.service.messages.count(hashUaid(profile.uaid!)), 0);
    });

    test('TTL 0 reaches a connected browser and is dropped for an offline one', async () => {
      const { profile, sub } = await offlineBrowser();
      const dropped = await push(sub.endpoint, sub, { payload: 'now or never', ttl: 0 });
      assert.equal(dropped.status, 201);
      assert.equal(dropped.headers.get('ttl'), '0');
      const conn = await profile.connect(ps.wsUrl);
      assert.equal(await conn.notificationWithin(200), false);
      assert.equal((await push(sub.endpoint, sub, { payload: 'right now', ttl: 0 })).status, 201);
      assert.equal((await conn.nextNotification()).plaintext, 'right now');
      await conn.close();
    });

    test('a message with the same Topic replaces the pending one; other topics are kept', async () => {
      const { profile, sub } = await offlineBrowser();
      const first = await push(sub.endpoint, sub, { payload: 'score 1-0', topic: 'match-42' });
      const second = await push(sub.endpoint, sub, { payload: 'score 2-0', topic: 'match-42' });
      await push(sub.endpoint, sub, { payload: 'other news', topic: 'news' });
      assert.notEqual(first.headers.get('location'), second.headers.get('location'));
      assert.equal(await ps.service.messages.count(hashUaid(profile.uaid!)), 2);

      const conn = await profile.connect(ps.wsUrl);
      const got = [(await conn.nextNotification()).plaintext, (await conn.nextNotification()).plaintext].sort();
      assert.deepEqual(got, ['other news', 'score 2-0']);
      assert.equal(await conn.notificationWithin(200), false);
      await conn.close();
    });

    test('what was sent but not acked is sent again after a reconnect, and not after the ack', async () => {
      const { profile, sub } = await offlineBrowser();
      const first = await profile.connect(ps.wsUrl);
      first.autoAck = false;
      await push(sub.endpoint, sub, { payload: 'ack me' });
      const unacked = await first.nextNotification();
      await first.close();

      const second = await profile.connect(ps.wsUrl);
      second.autoAck = false;
      const again = await second.nextNotification();
      assert.equal(again.version, unacked.version, 'the same version, so Firefox can drop a copy it already showed');
      assert.equal(again.plaintext, 'ack me');
      second.ack(again.channelID, again.version);
      await second.close();

      const third = await profile.connect(ps.wsUrl);
      assert.equal(await third.notificationWithin(200), false);
      await third.close();
    });

    test('a backlog larger than the in-flight window arrives in full, in order, as acks come', async () => {
      const { profile, sub } = await offlineBrowser();
      const sent = Array.from({ length: 12 }, (_, i) => `backlog ${i}`);
      for (const payload of sent) assert.equal((await push(sub.endpoint, sub, { payload })).status, 201);
      const conn = await profile.connect(ps.wsUrl);
      const got: string[] = [];
      for (let i = 0; i < sent.length; i++) got.push((await conn.nextNotification()).plaintext);
      assert.deepEqual(got, sent);
      await conn.close();
    });

    test('no message is lost while a newer connection replaces the old socket', async () => {
      const { profile, sub } = await offlineBrowser();
      const old = await profile.connect(ps.wsUrl);
      old.autoAck = false; // the old socket is dying: whatever it got is never acked
      const before = ['before 1', 'before 2', 'before 3'];
      for (const payload of before) await push(sub.endpoint, sub, { payload });
      for (const payload of before) assert.equal((await old.nextNotification()).plaintext, payload);
      const during = Array.from({ length: 20 }, (_, i) => `during replacement ${i}`);
      const payloads = [...before, ...during];
      const pushes = during.map(async (payload, i) => {
        await new Promise((resolve) => setTimeout(resolve, i));
        return push(sub.endpoint, sub, { payload });
      });
      const replacing = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return profile.connect(ps.wsUrl);
      })();
      const [fresh, ...results] = await Promise.all([replacing, ...pushes]);
      for (const res of results) assert.equal(res.status, 201);
      assert.equal((await old.closed).code, 4774);

      const got = new Set<string>();
      while (got.size < payloads.length) got.add((await fresh.nextNotification()).plaintext);
      assert.deepEqual([...got].sort(), [...payloads].sort());
      await fresh.close();
    });
  });
}
