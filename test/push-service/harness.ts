/**
 * Runs the push service alone on a listening Fastify instance, on SQLite in a temp
 * folder or a fresh PostgreSQL database, with a clock the test moves; and sends push
 * requests to it as an application server does (RFC 8030 §5, RFC 8291, RFC 8292).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { encryptWebPush } from '../../src/protocol/webpush/ece.ts';
import { signVapidToken, vapidAuthorization, vapidAudience, vapidSigningKey, type VapidKeys } from '../../src/protocol/webpush/vapid.ts';
import { registerPushService, type PushService, type PushServiceLimits, type PushServiceOptions } from '../../src/push-service/index.ts';
import { openStore, type Store } from '../../src/store/database.ts';
import { createTestDatabase, type StoreKind } from '../support/carillon.ts';
import type { BrowserSubscription } from './firefox-client.ts';

export interface TestPushService {
  /** http://127.0.0.1:<port> */
  url: string;
  wsUrl: string;
  service: PushService;
  store: Store;
  /** ms; what the service takes for now. */
  clock: { now: number };
  /** Stops the server and closes the store, then starts both again on the same port and data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Options of registerPushService a test may set besides the limits, and a store made beforehand. */
export type PushServiceExtras = Partial<Pick<PushServiceOptions, 'config' | 'trustProxy' | 'logger'>> & {
  /** A data folder (SQLite) or database (PostgreSQL) that already holds rows; made fresh when absent. */
  dataDir?: string;
  databaseUrl?: string;
};

export async function startPushService(kind: StoreKind, limits: Partial<PushServiceLimits> = {}, extras: PushServiceExtras = {}): Promise<TestPushService> {
  const { dataDir: givenDir, databaseUrl: givenUrl, ...options } = extras;
  const dataDir = givenDir ?? mkdtempSync(join(tmpdir(), 'carillon-push-'));
  const databaseUrl = kind === 'postgres' ? (givenUrl ?? (await createTestDatabase())) : undefined;
  const clock = { now: Date.now() };
  let port = 0;
  let app: FastifyInstance;
  const result = {} as TestPushService;

  const start = async () => {
    const store = await openStore({ databaseUrl, dataDir });
    app = Fastify();
    const service = await registerPushService(app, {
      db: store.db,
      logger: pino({ level: 'silent' }),
      now: () => clock.now,
      publicUrl: '',
      limits,
      ...options,
    });
    await app.listen({ port, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    Object.assign(result, { url: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}/push/ws`, service, store });
  };
  const stopServer = async () => {
    await app.close();
    await result.store.close();
  };

  await start();
  Object.assign(result, {
    clock,
    async restart() {
      await stopServer();
      await start();
    },
    async stop() {
      await stopServer();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
  return result;
}

export interface PushOptions {
  /** Plaintext, encrypted for the subscription (RFC 8291); omitted for a push without payload. */
  payload?: string;
  /** Raw body sent as is, instead of `payload`. */
  body?: Buffer;
  ttl?: number | null;
  topic?: string;
  urgency?: string;
  /** Signs with this key pair (RFC 8292) for the endpoint's origin at `now` (s). */
  vapid?: { keys: VapidKeys; now: number };
  headers?: Record<string, string>;
}

/** POSTs a push message to an endpoint; returns the status, headers and body text. */
export async function push(endpoint: string, subscription: BrowserSubscription | null, options: PushOptions = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (options.ttl !== null) headers.ttl = String(options.ttl ?? 60);
  if (options.topic) headers.topic = options.topic;
  if (options.urgency) headers.urgency = options.urgency;
  let body = options.body;
  if (body === undefined && options.payload !== undefined) {
    if (!subscription) throw new Error('a payload needs the subscription keys');
    body = encryptWebPush({ plaintext: Buffer.from(options.payload), uaPublic: subscription.uaPublic, authSecret: subscription.authSecret });
  }
  if (body !== undefined && body.length > 0) headers['content-encoding'] = 'aes128gcm';
  if (options.vapid) {
    const key = vapidSigningKey(options.vapid.keys.publicKey, options.vapid.keys.privateKey);
    const token = signVapidToken({ audience: vapidAudience(endpoint), subject: 'mailto:ops@example.com', expiresAt: options.vapid.now + 3600, key });
    headers.authorization = vapidAuthorization(token, options.vapid.keys.publicKey);
  }
  Object.assign(headers, options.headers);
  const res = await fetch(endpoint, { method: 'POST', headers, ...(body !== undefined ? { body: new Uint8Array(body) } : {}) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}
