import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { PushRequest, PushTransport } from '../../transport/push-transport.ts';
import type { OutgoingMessage, Recipient, Send } from '../channel.ts';
import type { CryptoPool } from './crypto-pool.ts';
import { WebPushSender } from './sender.ts';
import { VapidTokenCache } from './vapid-cache.ts';
import { SecretUnavailableError } from '../../crypto/secret-box.ts';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** A crypto pool that "encrypts" to the plaintext itself and keeps each task it was given. */
function recordingPool() {
  const tasks: { plaintexts: string[]; picks: number[] }[] = [];
  const pool = {
    async encryptEach(plaintexts: Uint8Array[], recipients: { p256dh: string; auth: string; plaintext: number }[]) {
      tasks.push({ plaintexts: plaintexts.map((p) => Buffer.from(p).toString()), picks: recipients.map((r) => r.plaintext) });
      return recipients.map((r) => plaintexts[r.plaintext]!);
    },
  };
  return { tasks, pool: pool as unknown as CryptoPool };
}

function recordingTransport() {
  const requests: PushRequest[] = [];
  const transport = {
    async send(req: PushRequest) {
      requests.push(req);
      return { status: 201, headers: {}, body: '' };
    },
  };
  return { requests, transport: transport as unknown as PushTransport };
}

const recipient = (i: number): Recipient => ({ seq: i, id: `sub_${i}`, address: `https://push.example/s/${i}`, p256dh: 'k', auth: 'a', environment: null, appTopic: null });
const message = (appId: string, title: string): OutgoingMessage => ({ id: 'ntf_1', appId, content: { title }, ttl: 60, urgency: 'normal', topic: null });

function sender(pool: CryptoPool, transport: PushTransport, vapidFor = async (_appId: string) => new VapidTokenCache(privateKey, 'pub', 'mailto:ops@example.com')) {
  return new WebPushSender({ transport, crypto: pool, vapidFor, retryMax: 1000, now: () => 1_700_000_000_000 });
}

test('recipients sharing a message object share one plaintext; each gets the payload of its own message', async () => {
  const { tasks, pool } = recordingPool();
  const { requests, transport } = recordingTransport();
  const hello = message('app_1', 'Hello');
  const hi = message('app_1', 'Hi Ann');
  // 120 sends over three encryption chunks of 50: two messages, interleaved.
  const sends: Send[] = Array.from({ length: 120 }, (_, i) => ({ recipient: recipient(i), message: i % 3 === 0 ? hi : hello }));
  const outcomes = await sender(pool, transport).send(sends);
  assert.deepEqual(new Set(outcomes.map((o) => o.kind)), new Set(['delivered']));
  assert.equal(tasks.length, 3, 'chunks of 50, whatever the messages');
  for (const t of tasks) {
    assert.equal(t.plaintexts.length, 2, 'each distinct payload goes to the thread once per chunk');
    assert.deepEqual(t.plaintexts.map((p) => JSON.parse(p).notification.title).sort(), ['Hello', 'Hi Ann']);
  }
  const titleTo = new Map(requests.map((r) => [r.url, JSON.parse(Buffer.from(r.body).toString()).notification.title]));
  for (const [i, s] of sends.entries()) assert.equal(titleTo.get(s.recipient.address), s.message.content.title, `recipient ${i}`);
});

test('one message for the whole batch is one plaintext per chunk, as before', async () => {
  const { tasks, pool } = recordingPool();
  const { transport } = recordingTransport();
  const one = message('app_1', 'Sale');
  await sender(pool, transport).send(Array.from({ length: 60 }, (_, i) => ({ recipient: recipient(i), message: one })));
  assert.deepEqual(tasks.map((t) => [t.plaintexts.length, t.picks.length]), [[1, 50], [1, 10]]);
});

test('an app whose VAPID key does not open fails its own sends only, without encrypting them', async () => {
  const { tasks, pool } = recordingPool();
  const { requests, transport } = recordingTransport();
  const vapidFor = async (appId: string) => {
    if (appId === 'app_broken') throw new SecretUnavailableError('unknown_master_key', 'sealed with another master key');
    return new VapidTokenCache(privateKey, 'pub', 'mailto:ops@example.com');
  };
  const good = message('app_1', 'Fine');
  const bad = message('app_broken', 'Never');
  const sends: Send[] = [0, 1, 2, 3].map((i) => ({ recipient: recipient(i), message: i % 2 ? bad : good }));
  const told: [number, string][] = [];
  const outcomes = await sender(pool, transport, vapidFor).send(sends, (i, o) => told.push([i, o.kind]));
  assert.deepEqual(outcomes.map((o) => o.kind), ['delivered', 'rejected', 'delivered', 'rejected']);
  assert.equal((outcomes[1] as { fault?: string }).fault, 'credentials');
  assert.deepEqual(tasks.map((t) => t.picks.length), [2], 'only the usable app was encrypted');
  assert.equal(requests.length, 2);
  assert.deepEqual(told.sort((a, b) => a[0] - b[0]).map(([i]) => i), [0, 1, 2, 3], 'every outcome is told');
});
