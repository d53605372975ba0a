/**
 * Section 10: outgoing webhooks.
 *
 * Throughput of batched webhooks (100 events a request) from the activity log to a
 * loopback receiver: N outcomes are appended to the log at once, and the clock runs until
 * the receiver has every one of them, each request signed per Standard Webhooks and
 * recorded in the delivery log. The peer is a bare `undici` loop POSTing the same bodies,
 * unsigned and unrecorded, to the same receiver at the same concurrency, in the same
 * run: the ratio is what the durable path (the dispatcher's transactions, the queue, the
 * signing and the log) costs over the wire alone. Goal: at least 5,000 events/s.
 */
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { Agent } from 'undici';
import { defaults, type Config } from '../../src/config/defaults.ts';
import { createRuntime } from '../../src/runtime.ts';
import { appendActivity, type Activity } from '../../src/store/activity-log.ts';
import type { Harness } from '../lib/harness.ts';
import { goal, type Row, type SectionResult } from '../lib/report.ts';
import { fixed, int } from '../lib/stats.ts';

const SECTION = 10;
const BATCH = 100;
const CONCURRENCY = 4;
const GOAL = 5_000;
/** Events under --quick without --n, and at least this many otherwise: the rate settles after a few thousand. */
const QUICK_N = 2_000;
const MIN_N = 50_000;

interface Receiver {
  url: string;
  events: number;
  waitFor(n: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

/** Counts events in what it gets: a batch's `data` array, or one event. */
async function startReceiver(): Promise<Receiver> {
  let events = 0;
  let waiting: { n: number; resolve: () => void } | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; data: unknown };
      events += body.type === 'batch' ? (body.data as unknown[]).length : 1;
      res.writeHead(204).end();
      if (waiting && events >= waiting.n) waiting.resolve();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get events() {
      return events;
    },
    waitFor: (n) => (events >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { n, resolve }))),
    reset: () => {
      events = 0;
      waiting = undefined;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function outcomes(appId: string, n: number): Activity[] {
  const at = Date.now();
  return Array.from({ length: n }, (_, i) => ({ appId, type: i % 3 === 0 ? 'clicked' : 'delivered', at, notificationId: 'ntf_bench', campaignId: 'cmp_bench', channel: 'webpush', subscriptionId: `sub_${i}`, userId: `user-${i}` }));
}

export async function webhooksSection(h: Harness): Promise<SectionResult> {
  const n = h.flags.quick && !h.flags.nSet ? QUICK_N : h.flags.quick ? h.flags.n : Math.max(MIN_N, h.flags.nSet ? h.flags.n : 0);
  const rx = await startReceiver();
  const dataDir = mkdtempSync(join(h.tmp, 'webhooks-'));
  const config: Config = { ...defaults, dataDir, adminKey: 'crl_ak_bench_webhooks', allowPrivateEndpoints: true, logLevel: 'silent', workerConcurrency: CONCURRENCY, webhookDispatchInterval: 20, webhookDispatchBatch: 1_000, queuePollInterval: 20, cryptoThreads: 1 };
  const runtime = await createRuntime(config, { logger: pino({ level: 'silent' }) });
  try {
    runtime.startWorkers();
    const call = async (method: 'POST', url: string, key: string, body: unknown) => {
      const res = await runtime.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, payload: body as object });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const app = await call('POST', '/v1/apps', config.adminKey, { name: 'bench webhooks' });
    await call('POST', `/v1/apps/${app.id}/webhooks`, app.secretKey, { url: rx.url, batchSize: BATCH });
    const planted = outcomes(app.id, n);

    h.log(`webhooks: ${int(n)} events, batches of ${BATCH}, through the activity log to a loopback receiver`);
    const t0 = performance.now();
    await appendActivity(runtime.ctx.store.db, planted);
    await rx.waitFor(n);
    const carillonSeconds = (performance.now() - t0) / 1000;
    const carillonRate = n / carillonSeconds;
    h.log(`  Carillon: ${int(carillonRate)} events/s (${fixed(carillonSeconds)} s)`);

    // The peer: the same batches' bodies, POSTed by a bare loop at the same concurrency.
    rx.reset();
    const bodies: string[] = [];
    for (let i = 0; i < n; i += BATCH) {
      bodies.push(JSON.stringify({ type: 'batch', timestamp: new Date().toISOString(), data: planted.slice(i, i + BATCH).map((a) => ({ type: `notification.${a.type}`, timestamp: new Date(a.at).toISOString(), data: a })) }));
    }
    const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });
    const origin = new URL(rx.url).origin;
    const t1 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          const res = await agent.request({ origin, path: '/hook', method: 'POST', headers: { 'content-type': 'application/json' }, body });
          await res.body.dump();
        }
      }),
    );
    await rx.waitFor(n);
    const peerSeconds = (performance.now() - t1) / 1000;
    const peerRate = n / peerSeconds;
    await agent.close();
    h.log(`  bare undici loop: ${int(peerRate)} events/s (${fixed(peerSeconds)} s)`);

    const rows: Row[] = [
      {
        section: SECTION,
        what: `Webhooks, ${int(n)} events batched ${BATCH} a request, activity log to loopback receiver`,
        carillon: `${int(carillonRate)} events/s`,
        peer: `bare undici loop, same bodies: ${int(peerRate)} events/s`,
        ratio: `${fixed(carillonRate / peerRate, 2)}×`,
        goal: goal(`≥ ${int(GOAL)} events/s`, h.flags.quick ? undefined : carillonRate >= GOAL),
      },
    ];
    return { name: 'webhooks', rows, data: { n, batch: BATCH, concurrency: CONCURRENCY, carillon: { seconds: carillonSeconds, perSecond: carillonRate }, peer: { seconds: peerSeconds, perSecond: peerRate } } };
  } finally {
    await runtime.close();
    await rx.close();
  }
}
