/**
 * Section 1, in a process of its own: Web Push request building on one thread, rounds
 * of Carillon, the web-push package and the machine's crypto floor taking turns, so that
 * a change in the machine's load falls on all three alike.
 *
 * - Carillon: RFC 8291 encryption (`encryptWebPush`, as the crypto worker calls it, key
 *   decoding included), the VAPID Authorization from its per-origin cache, the request.
 * - web-push: `generateRequestDetails` (encrypts, signs VAPID for every message).
 * - floor: what no implementation can avoid per message: a P-256 key pair and an ECDH.
 *
 * Rates are messages per CPU-second of the process (process.cpuUsage), i.e. per core.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import webpush from 'web-push';
import { decodeBase64url } from '../../src/protocol/webpush/base64url.ts';
import { encryptWebPush } from '../../src/protocol/webpush/ece.ts';
import { generateVapidKeys, vapidSigningKey } from '../../src/protocol/webpush/vapid.ts';
import { buildWebPushRequest } from '../../src/providers/webpush/build-request.ts';
import { CryptoPool } from '../../src/providers/webpush/crypto-pool.ts';
import { VapidTokenCache } from '../../src/providers/webpush/vapid-cache.ts';
import { childArgs, main, send } from '../lib/ipc.ts';

export interface EncryptionArgs {
  rounds: number;
  /** s each contender runs per round. */
  slice: number;
  payloadSizes: number[];
}

export interface EncryptionFigure {
  contender: 'carillon' | 'web-push' | 'floor' | 'carillon-pool';
  payloadBytes: number;
  /** Messages per CPU-second (median of the rounds). */
  perCpuSecond: number;
  /** Messages per wall-clock second (median of the rounds). */
  perSecond: number;
  rounds: { messages: number; wallMs: number; cpuMs: number }[];
}

/** The three big push services' origins: the VAPID cache holds one token per origin. */
const ORIGINS = ['https://fcm.googleapis.com/fcm/send', 'https://updates.push.services.mozilla.com/wpush/v2', 'https://web.push.apple.com'];
/** Distinct subscriptions, each with its own P-256 key pair and auth secret. */
const SUBSCRIPTIONS = 2_000;
const CHUNK = 25;

main(async () => {
  const args = childArgs<EncryptionArgs>();
  const ecdh = createECDH('prime256v1');
  const subs = Array.from({ length: SUBSCRIPTIONS }, (_, i) => {
    const p256dh = ecdh.generateKeys().toString('base64url');
    const auth = randomBytes(16).toString('base64url');
    return { endpoint: `${ORIGINS[i % ORIGINS.length]}/${randomBytes(12).toString('base64url')}`, p256dh, auth, uaPublic: decodeBase64url(p256dh) };
  });
  const vapidKeys = generateVapidKeys();
  const subject = 'mailto:bench@example.org';
  const vapid = new VapidTokenCache(vapidSigningKey(vapidKeys.publicKey, vapidKeys.privateKey), vapidKeys.publicKey, subject);
  const options = { ttl: 259_200, urgency: 'normal', topic: null };
  const peerOptions = { TTL: 259_200, vapidDetails: { subject, publicKey: vapidKeys.publicKey, privateKey: vapidKeys.privateKey } };
  const floor = createECDH('prime256v1');

  const contenders = (plaintext: Buffer): Record<'carillon' | 'web-push' | 'floor', (i: number) => unknown> => ({
    carillon: (i) => {
      const s = subs[i % SUBSCRIPTIONS]!;
      const body = encryptWebPush({ plaintext, uaPublic: decodeBase64url(s.p256dh), authSecret: decodeBase64url(s.auth) });
      return buildWebPushRequest(s.endpoint, body, vapid.authorization(s.endpoint, Date.now()), options);
    },
    'web-push': (i) => {
      const s = subs[i % SUBSCRIPTIONS]!;
      return webpush.generateRequestDetails({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, plaintext, peerOptions);
    },
    floor: (i) => {
      floor.generateKeys();
      return floor.computeSecret(subs[i % SUBSCRIPTIONS]!.uaPublic);
    },
  });

  const figures: EncryptionFigure[] = [];
  for (const size of args.payloadSizes) {
    const plaintext = randomBytes(size);
    const fns = contenders(plaintext);
    const names = Object.keys(fns) as (keyof typeof fns)[];
    const rounds = new Map(names.map((n) => [n, [] as EncryptionFigure['rounds']]));
    // A short warm-up so that every contender runs optimised code from the first round.
    for (const name of names) measure(fns[name], Math.min(0.2, args.slice));
    for (let r = 0; r < args.rounds; r++) {
      // Rotate the order each round.
      const order = names.map((_, k) => names[(k + r) % names.length]!);
      for (const name of order) rounds.get(name)!.push(measure(fns[name], args.slice));
    }
    for (const name of names) figures.push(summarise(name, size, rounds.get(name)!));
  }

  // Carillon's crypto pool: every core, batches of 500 as the delivery workers send them.
  const threads = availableParallelism();
  const pool = new CryptoPool(threads);
  const recipients = subs.slice(0, 500).map((s) => ({ p256dh: s.p256dh, auth: s.auth }));
  for (const size of args.payloadSizes) {
    const plaintext = randomBytes(size);
    await pool.encryptAll(plaintext, recipients); // threads loaded and warm
    const rounds: EncryptionFigure['rounds'] = [];
    for (let r = 0; r < args.rounds; r++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let messages = 0;
      while (performance.now() - t0 < args.slice * 1000) {
        await Promise.all([pool.encryptAll(plaintext, recipients), pool.encryptAll(plaintext, recipients)]);
        messages += 2 * recipients.length;
      }
      const cpu = process.cpuUsage(c0);
      rounds.push({ messages, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 });
    }
    figures.push(summarise('carillon-pool', size, rounds));
  }
  await pool.close();
  await send({ type: 'figures', figures, threads, subscriptions: SUBSCRIPTIONS });
  process.exit(0);
});

function measure(fn: (i: number) => unknown, seconds: number): { messages: number; wallMs: number; cpuMs: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let messages = 0;
  while (performance.now() - t0 < seconds * 1000) {
    for (let k = 0; k < CHUNK; k++) fn(messages++);
  }
  const cpu = process.cpuUsage(c0);
  return { messages, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function summarise(contender: EncryptionFigure['contender'], payloadBytes: number, rounds: EncryptionFigure['rounds']): EncryptionFigure {
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  return {
    contender,
    payloadBytes,
    perCpuSecond: med(rounds.map((r) => (r.messages * 1000) / r.cpuMs)),
    perSecond: med(rounds.map((r) => (r.messages * 1000) / r.wallMs)),
    rounds,
  };
}
