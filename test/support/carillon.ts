/**
 * Starts Carillon for integration tests: a real runtime (store, queue, workers, HTTP API
 * through inject) on a temp SQLite folder or a fresh PostgreSQL database, so one test file
 * runs against both engines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { defaults, type Config } from '../../src/config/defaults.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { Personaliser } from '../../src/delivery/personaliser.ts';

export type StoreKind = 'sqlite' | 'postgres' | 'postgres+redis';
/** The stores: API tests run on each. */
export const STORES: StoreKind[] = ['sqlite', 'postgres'];
/** The embedded set-up and the scale-out one (PostgreSQL, and the queue on BullMQ in Redis): delivery tests run on each. */
export const DEPLOYMENTS: StoreKind[] = [...STORES, 'postgres+redis'];

export function testRedisUrl(): string {
  const url = process.env.CARILLON_TEST_REDIS_URL;
  if (!url) throw new Error('CARILLON_TEST_REDIS_URL is not set: run the tests with `npm test`, which starts Redis');
  return url;
}

export interface TestCarillon extends Runtime {
  adminKey: string;
  /** JSON API call through inject(); returns status, headers and parsed body. */
  api(method: string, url: string, opts?: { key?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; headers: Record<string, unknown>; body: any }>;
  createApp(name?: string): Promise<{ id: string; secretKey: string; publishableKey: string; vapidPublicKey: string; identitySecret: string }>;
  /** Polls the notification until it is completed (or the time runs out). */
  waitCompleted(appId: string, key: string, id: string, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

/** A PostgreSQL database of its own for one test, on the server the test harness started. */
export async function createTestDatabase(): Promise<string> {
  const base = process.env.CARILLON_TEST_DATABASE_URL;
  if (!base) throw new Error('CARILLON_TEST_DATABASE_URL is not set: run the tests with `npm test`, which starts PostgreSQL');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * What a site's server computes for its signed-in user, as docs/sdk.md shows it: the hex
 * HMAC-SHA-256 of the user id under the app's identity secret.
 */
export function userIdHash(app: { identitySecret: string }, userId: string): string {
  return createHmac('sha256', app.identitySecret).update(userId).digest('hex');
}

/** A subscription body as a browser sends it for a signed-in user: with the proof of its user id, if it has one. */
export function withUserProof<T extends Record<string, unknown>>(app: { identitySecret: string }, body: T): T {
  return typeof body.userId === 'string' ? { ...body, userIdHash: userIdHash(app, body.userId) } : body;
}

export interface StartOptions {
  now?: () => number;
  /** CA of the APNs and FCM simulators (test/simulators). */
  providerCa?: string;
  /** A logger of the test's own, to look at what is logged. */
  logger?: Logger;
  /** The queue's Redis prefix: the same one for runtimes that stand for workers of one installation. */
  queuePrefix?: string;
  /** The deliver job's personaliser (src/delivery/personaliser.ts); the default one otherwise. */
  personaliser?: Personaliser;
}

export async function startCarillon(kind: StoreKind, overrides: Partial<Config> = {}, opts: StartOptions = {}): Promise<TestCarillon> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carillon-test-'));
  const adminKey = `crl_ak_test_${randomBytes(8).toString('hex')}`;
  const config: Config = {
    ...defaults,
    dataDir,
    adminKey,
    databaseUrl: kind === 'sqlite' ? '' : await createTestDatabase(),
    redisUrl: kind === 'postgres+redis' ? testRedisUrl() : '',
    allowPrivateEndpoints: true,
    // Tests play many browsers from one address; test/api/client-rate.test.ts turns the limit on.
    clientRate: 0,
    logLevel: 'silent',
    retryBase: 50,
    retryMax: 2_000,
    queuePollInterval: 20,
    // Each crypto thread loads its modules through tsx on its own (about half a second of
    // CPU per thread at every start, and a run starts a hundred of these): one thread, and
    // no urgent one (urgent pushes then share it), unless a test asks, as for server processes.
    cryptoThreads: 1,
    urgentCryptoThreads: 0,
    ...overrides,
  };
  const runtime = await createRuntime(config, { logger: opts.logger ?? pino({ level: config.logLevel }), now: opts.now, providerCa: opts.providerCa, queuePrefix: opts.queuePrefix ?? `t_${randomBytes(6).toString('hex')}`, ...(opts.personaliser ? { personaliser: opts.personaliser } : {}) });
  runtime.startWorkers();

  const api: TestCarillon['api'] = async (method, url, opts = {}) => {
    const res = await runtime.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}), ...opts.headers },
      ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
    });
    const text = res.body;
    return { status: res.statusCode, headers: res.headers, body: text && /json/.test(String(res.headers['content-type'])) ? JSON.parse(text) : text };
  };

  return {
    ...runtime,
    adminKey,
    api,
    async createApp(name = 'test app') {
      const res = await api('POST', '/v1/apps', { key: adminKey, body: { name } });
      if (res.status !== 201) throw new Error(`app creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async waitCompleted(appId, key, id, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await api('GET', `/v1/apps/${appId}/notifications/${id}`, { key });
        if (res.body.status === 'completed') return res.body;
        if (Date.now() > deadline) throw new Error(`notification ${id} not completed: ${JSON.stringify(res.body.counts)} (${res.body.status})`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
