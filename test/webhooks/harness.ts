/**
 * What the webhook tests share: a Carillon runtime with an injected clock and resolver,
 * a real HTTP or HTTPS receiver on loopback that records what arrives and answers as told,
 * and planting outcomes straight into the activity log (its writers come from analytics).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { after, before } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { defaults, type Config } from '../../src/config/defaults.ts';
import { createRuntime } from '../../src/runtime.ts';
import { appendActivity, type Activity } from '../../src/store/activity-log.ts';
import type { Resolver } from '../../src/transport/index.ts';
import { createTestDatabase, testRedisUrl, type StoreKind, type TestCarillon } from '../support/carillon.ts';
import { eventually } from '../support/eventually.ts';
import { startPushSink, type PushSink } from '../support/push-sink.ts';

const FIXTURES = new URL('../../src/transport/fixtures/', import.meta.url);
/** The test certificate's CA (it is self-signed for push.test, localhost, 127.0.0.1 and ::1). */
export const TEST_CA = readFileSync(new URL('test-cert.pem', FIXTURES));
const TEST_KEY = readFileSync(new URL('test-key.pem', FIXTURES));

/** A clock the test moves. */
export interface Clock {
  now: () => number;
  advance(ms: number): void;
}
export function testClock(start = Date.now()): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Names resolved to chosen addresses, as DNS would answer (`push.test` → 127.0.0.1). */
export function resolverOf(names: Record<string, string>): Resolver {
  return async (hostname) => {
    const address = names[hostname];
    if (address === undefined) throw Object.assign(new Error(`no test address for ${hostname}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
}

export async function startWebhookCarillon(kind: StoreKind, overrides: Partial<Config> = {}, opts: { now?: () => number; lookup?: Resolver; logger?: Logger } = {}): Promise<TestCarillon> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carillon-webhooks-'));
  const adminKey = `crl_ak_test_${randomBytes(8).toString('hex')}`;
  const config: Config = {
    ...defaults,
    dataDir,
    adminKey,
    databaseUrl: kind === 'sqlite' ? '' : await createTestDatabase(),
    redisUrl: kind === 'postgres+redis' ? testRedisUrl() : '',
    allowPrivateEndpoints: true,
    clientRate: 0,
    logLevel: 'silent',
    queuePollInterval: 20,
    cryptoThreads: 1,
    webhookDispatchInterval: 20,
    webhookTimeout: 2_000,
    ...overrides,
  };
  const runtime = await createRuntime(config, {
    logger: opts.logger ?? pino({ level: 'silent' }),
    ...(opts.now ? { now: opts.now } : {}),
    queuePrefix: `t_${randomBytes(6).toString('hex')}`,
    webhookLookup: opts.lookup ?? resolverOf({ 'push.test': '127.0.0.1', localhost: '127.0.0.1' }),
    webhookCa: TEST_CA,
  });
  runtime.startWorkers();
  const api: TestCarillon['api'] = async (method, url, o = {}) => {
    const res = await runtime.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(o.key ? { authorization: `Bearer ${o.key}` } : {}), ...o.headers },
      ...(o.body !== undefined ? { payload: o.body as object } : {}),
    });
    return { status: res.statusCode, headers: res.headers, body: res.body && /json/.test(String(res.headers['content-type'])) ? JSON.parse(res.body) : res.body };
  };
  return {
    ...runtime,
    adminKey,
    api,
    async createApp(name = 'webhook app') {
      const res = await api('POST', '/v1/apps', { key: adminKey, body: { name } });
      if (res.status !== 201) throw new Error(`app creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    waitCompleted: () => Promise.reject(new Error('not used by the webhook tests')),
    async stop() {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One request as the receiver got it. */
export interface Received {
  headers: Record<string, string>;
  body: string;
  /** The receiver's own arrival order. */
  n: number;
}

/** How the receiver answers one request: a status, headers and a body (`ok` unless given), or no answer at all (`hang`). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers to give, in order, before falling back to 200. */
  answer(...answers: Answer[]): void;
  /** ms before each answer (a slow receiver). */
  setDelay(ms: number): void;
  /** The answer once the queued ones are given (200 unless set). */
  setDefault(answer: Answer): void;
  close(): Promise<void>;
}

/** A webhook receiver on loopback: https (the test certificate, for `push.test`) or plain http. */
export async function startReceiver(opts: { tls?: boolean } = {}): Promise<Receiver> {
  const received: Received[] = [];
  const queue: Answer[] = [];
  const hanging: http.ServerResponse[] = [];
  let delay = 0;
  let fallback: Answer = { status: 200 };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8'), n: received.length });
      const a = queue.shift() ?? fallback;
      if (a === 'hang') {
        hanging.push(res);
        return;
      }
      setTimeout(() => res.writeHead(a.status, a.headers ?? {}).end(a.body ?? 'ok'), delay);
    });
  };
  const server = opts.tls ? https.createServer({ cert: TEST_CA, key: TEST_KEY }, onRequest) : http.createServer(onRequest);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: opts.tls ? `https://push.test:${port}/hook` : `http://127.0.0.1:${port}/hook`,
    received,
    answer: (...answers) => queue.push(...answers),
    setDelay: (ms) => (delay = ms),
    setDefault: (a) => (fallback = a),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Plants outcomes in the activity log, as analytics's writers will. */
export async function plant(c: TestCarillon, appId: string, activities: Partial<Activity>[]): Promise<void> {
  await appendActivity(
    c.ctx.store.db,
    activities.map((a) => ({ appId, type: 'clicked', at: c.ctx.now(), notificationId: 'ntf_1', ...a }) as Activity),
  );
}

/** Verifies a request with the Standard Webhooks reference library, on the real clock; returns the payload. */
export function verify(secret: string, r: Received): any {
  return new Webhook(secret).verify(r.body, r.headers);
}

/**
 * Whether `r` carries a signature by `secret`, as the reference library computes it for
 * the request's own id and timestamp: for requests sent on a test clock far from the real
 * one, where `verify` would refuse the timestamp as too old.
 */
export function signedBy(secret: string, r: Received): boolean {
  const expected = new Webhook(secret).sign(r.headers['webhook-id']!, new Date(Number(r.headers['webhook-timestamp']) * 1000), r.body);
  return (r.headers['webhook-signature'] ?? '').split(' ').includes(expected);
}

/**
 * Waits until the store's queue runs no job. Call before moving the clock: a job in
 * flight whose lease the jump outlives is taken over and run again, which at least once
 * allows but a test counting requests does not expect.
 */
export async function queueIdle(c: TestCarillon): Promise<void> {
  await eventually(async () => {
    const row = await c.ctx.store.db.selectFrom('jobs').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'active').executeTakeFirstOrThrow();
    if (Number(row.n) !== 0) throw new Error(`${row.n} jobs running`);
  });
}

/** What `webhookRig` starts: a Carillon, an HTTPS receiver for its webhooks, a push sink for its pushes. */
export interface WebhookRig {
  c: TestCarillon;
  rx: Receiver;
  sink: PushSink;
}

/**
 * Registers, in the describe block it is called in, the start of a webhook Carillon (on the
 * clock given, if any), an HTTPS receiver and a push sink before its tests, and their close
 * after them. The tests read them from the object returned.
 */
export function webhookRig(kind: StoreKind, opts: { now?: () => number } = {}): WebhookRig {
  const rig = {} as WebhookRig;
  before(async () => {
    rig.c = await startWebhookCarillon(kind, {}, opts.now ? { now: opts.now } : {});
    rig.rx = await startReceiver({ tls: true });
    rig.sink = await startPushSink();
  });
  after(async () => {
    await rig.c?.stop();
    await rig.rx?.close();
    await rig.sink?.close();
  });
  return rig;
}
